import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';

/** One request a real player sends, as fixtures/clients/<client>.json records it (fixtures/clients/README.md). */
export interface RecordedRequest {
  purpose: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

export interface ClientFixture {
  /** The fixture's file name without .json: how serialiseBody tells the players apart. */
  file: string;
  client: string;
  configuredUrl: string;
  notes: string;
  requests: RecordedRequest[];
}

const FIXTURES = new URL('./fixtures/clients/', import.meta.url);

export function loadClientFixtures(): ClientFixture[] {
  return readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({ file: name.replace(/\.json$/, ''), ...(JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Omit<ClientFixture, 'file'>) }));
}

/** What replaces the fixtures' placeholders for one listener. */
export interface PlaceholderValues {
  token: string;
  userName: string;
  /** Unix seconds. */
  listenedAt: number;
  /** A recording_msid from the listener's listens, asked for only by requests that carry one. */
  recordingMsid: () => Promise<string>;
}

/**
 * A recorded request with its placeholders filled in: in the path, query and headers as plain text; in the
 * body, a timestamp that is a whole value becomes a number, as players send it.
 */
export async function fillPlaceholders(recorded: RecordedRequest, values: PlaceholderValues): Promise<RecordedRequest> {
  const msid = JSON.stringify(recorded).includes('{{recording_msid}}') ? await values.recordingMsid() : '';
  const plain = (value: string): string => {
    const filled = value
      .replaceAll('{{token_base64}}', Buffer.from(values.token, 'utf8').toString('base64'))
      .replaceAll('{{token}}', values.token)
      .replaceAll('{{user_name}}', values.userName)
      .replaceAll('{{recording_msid}}', msid)
      .replace(/\{\{listened_at(?:-(\d+))?\}\}/g, (_whole, minus: string | undefined) => String(values.listenedAt - Number(minus ?? 0)));
    if (filled.includes('{{')) throw new Error(`a placeholder the replayer does not know: ${value}`);
    return filled;
  };
  const plainValues = (record: Record<string, string>) => Object.fromEntries(Object.entries(record).map(([key, value]) => [key, plain(value)]));
  const fillBody = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const timestamp = /^\{\{listened_at(?:-(\d+))?\}\}$/.exec(value);
      return timestamp ? values.listenedAt - Number(timestamp[1] ?? 0) : plain(value);
    }
    if (Array.isArray(value)) return value.map(fillBody);
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillBody(item)]));
    return value;
  };
  return { ...recorded, path: plain(recorded.path), query: plainValues(recorded.query), headers: plainValues(recorded.headers), body: fillBody(recorded.body) };
}

/**
 * A body's bytes as the player's own JSON library writes them: Go's json.Encoder ends with a newline
 * (gonic), Python's json.dumps puts spaces after separators and escapes every non-ASCII character (Music
 * Assistant, through liblistenbrainz); the others write compact JSON.
 */
export function serialiseBody(fixture: ClientFixture, body: unknown): Buffer {
  if (fixture.file === 'gonic') return Buffer.from(`${JSON.stringify(body)}\n`, 'utf8');
  if (fixture.file === 'music-assistant') return Buffer.from(pythonJsonDumps(body), 'utf8');
  return Buffer.from(JSON.stringify(body), 'utf8');
}

function pythonJsonDumps(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${pythonJsonDumps(key)}: ${pythonJsonDumps(item)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

export interface ReplayedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body as JSON; undefined when it is empty or not JSON (which several players cannot handle). */
  json: Record<string, unknown> | undefined;
}

/**
 * Sends a filled-in request exactly as recorded: its method, path, query, header names and values (only
 * those: no Content-Type is added where the player sends none), and its body bytes — also on a GET, as
 * Navidrome sends one. Only Host, Connection and Content-Length are added, which every player's HTTP
 * library sends too.
 */
export function replay(baseUrl: string, fixture: ClientFixture, filled: RecordedRequest): Promise<ReplayedResponse> {
  const url = new URL(filled.path, baseUrl);
  for (const [key, value] of Object.entries(filled.query)) url.searchParams.set(key, value);
  const body = filled.body === null ? undefined : serialiseBody(fixture, filled.body);
  return new Promise((resolve, reject) => {
    // Framing as every player's HTTP library writes it: Node sends a GET's body without a length otherwise.
    const headers = body === undefined ? filled.headers : { ...filled.headers, 'Content-Length': String(body.length) };
    const sent = request(url, { method: filled.method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const raw = Buffer.concat(chunks);
        const encoding = response.headers['content-encoding'];
        const text = (encoding === 'gzip' ? gunzipSync(raw) : encoding === 'deflate' ? inflateSync(raw) : raw).toString('utf8');
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json: parseJsonObject(text) });
      });
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The ListenBrainz endpoint a path names, whichever base the player was given, with the user name as `:user`. */
export function endpointOf(path: string, userName: string): string {
  return path
    .replace(/^\/(?:listenbrainz\/)?(?:1\/)?/, '')
    .split('/')
    .map((part) => (part === userName ? ':user' : part))
    .join('/');
}
