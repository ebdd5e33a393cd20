import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  privateUserSchema,
  recentlyPlayedPageSchema,
  SPOTIFY_ESSENTIAL_FIELDS,
  trackSchema,
  webApiErrorBodySchema,
} from '../../services/features/spotify/spotify-schemas.js';
import { loginSyntheticUser, startTestEmulator, type RunningEmulator } from '../support/emulator.js';
import { locateSpotifySpec, requiredPaths, SpotifyOpenApi, type NullablePatch } from './spotify-openapi.js';

/**
 * Every kind of Web API answer the emulator gives is validated against Spotify's OpenAPI description,
 * and the zod schemas Playlog parses Spotify with accept those answers and require nothing the
 * description leaves optional (beyond the documented essentials).
 */

/** Where Spotify sends null although the description omits `nullable` (the only patches applied). */
const DOCUMENTED_NULLS: NullablePatch[] = [
  { schema: 'CursorPagingObject', property: 'next', why: 'its own description says "`null` if none"' },
  { schema: 'CursorPagingObject', property: 'cursors', why: 'Spotify answers an empty page with "cursors": null' },
  { schema: 'PlayHistoryObject', property: 'context', why: 'plays outside an album, playlist or artist have "context": null' },
];

/** Fields Spotify sends that the description does not declare yet. */
const KNOWN_UNDECLARED = new Map([['error.reason', 'Spotify added "reason":"QUOTA_EXCEEDED" to quota 429s in 2026']]);

const spec = locateSpotifySpec();
const required = process.env.REQUIRE_SPOTIFY_SPEC === '1';
if (!spec.found && !required) {
  console.warn(
    `[contract.test] SKIPPED: Spotify's OpenAPI description is not at ${spec.path}. It is kept outside the repository; ` +
      'set SPOTIFY_OPENAPI_SPEC to its path to run this file (CI sets REQUIRE_SPOTIFY_SPEC=1 and fails instead).',
  );
}

describe.runIf(!spec.found && required)('Spotify OpenAPI contract (spec required)', () => {
  it('finds the OpenAPI description', () => {
    throw new Error(`REQUIRE_SPOTIFY_SPEC=1 but no OpenAPI description at ${spec.path} (set SPOTIFY_OPENAPI_SPEC)`);
  });
});

interface Answer {
  name: string;
  /** The spec path the request belongs to, or null for a path Spotify does not have. */
  specPath: string | null;
  status: number;
  body: unknown;
}

describe.runIf(spec.found)('Spotify OpenAPI contract', () => {
  let openApi: SpotifyOpenApi;
  let emulator: RunningEmulator;
  const answers: Answer[] = [];

  beforeAll(async () => {
    openApi = new SpotifyOpenApi(spec.path, DOCUMENTED_NULLS);
    emulator = await startTestEmulator({ users: 2 });
    const [first, second] = emulator.users();
    const full = await loginSyntheticUser(emulator, first!.id);
    const emailOnly = await loginSyntheticUser(emulator, second!.id, { scopes: ['user-read-email'] });
    const noScopes = await loginSyntheticUser(emulator, second!.id, { scopes: [] });
    const expired = await loginSyntheticUser(emulator, second!.id);

    const call = async (name: string, specPath: string | null, path: string, token: string | null = full.accessToken, headers: Record<string, string> = {}) => {
      const response = await fetch(`${emulator.apiUrl}${path}`, { headers: { ...(token && { authorization: `Bearer ${token}` }), ...headers } });
      const text = await response.text();
      answers.push({ name, specPath, status: response.status, body: JSON.parse(text) as unknown });
      return answers[answers.length - 1]!;
    };
    const played = '/me/player/recently-played';

    await call('profile with every scope', '/me', '/me');
    await call('profile with user-read-email only', '/me', '/me', emailOnly.accessToken);
    await call('profile without scopes', '/me', '/me', noScopes.accessToken);
    const first20 = await call('recently played, default page', played, played);
    await call('recently played, limit 50', played, `${played}?limit=50`);

    // Every page walking back with `before`, then forward with `after`.
    let next = `${played}?limit=7`;
    for (let page = 0; page < 10 && next; page++) {
      const answer = await call(`recently played, before page ${page}`, played, next);
      const body = answer.body as { next: string | null };
      next = body.next ? body.next.slice(emulator.apiUrl.length) : '';
    }
    const oldest = (answers[answers.length - 1]!.body as { cursors: { before: string } }).cursors.before;
    next = `${played}?limit=9&after=${Number(oldest) - 1}`;
    for (let page = 0; page < 10 && next; page++) {
      const answer = await call(`recently played, after page ${page}`, played, next);
      const body = answer.body as { next: string | null };
      next = body.next ? body.next.slice(emulator.apiUrl.length) : '';
    }
    const newest = (first20.body as { cursors: { after: string } }).cursors.after;
    await call('recently played, empty page', played, `${played}?after=${newest}`);

    const trackIds = new Set((first20.body as { items: Array<{ track: { id: string } }> }).items.map((item) => item.track.id));
    for (const id of [...trackIds].slice(0, 5)) await call(`track ${id}`, '/tracks/{id}', `/tracks/${id}`);

    await call('limit 0', played, `${played}?limit=0`);
    await call('limit 51', played, `${played}?limit=51`);
    await call('limit not a number', played, `${played}?limit=ten`);
    await call('after and before together', played, `${played}?after=1&before=2`);
    await call('cursor not a number', played, `${played}?before=yesterday`);
    await call('malformed track id', '/tracks/{id}', '/tracks/not-an-id');
    await call('basic instead of bearer', '/me', '/me', null, { authorization: 'Basic Zm9vOmJhcg==' });
    await call('no token', played, played, null);
    await call('unknown token', played, played, 'BQunknown');
    await call('missing scope', played, played, emailOnly.accessToken);
    emulator.expireAccessTokens(second!.id);
    await call('expired token', played, played, expired.accessToken);
    await call('unknown track', '/tracks/{id}', '/tracks/0000000000000000000000');
    await call('unknown endpoint', null, '/me/nothing-here');

    emulator.faults.update({ rateLimitPerWindow: 1 });
    await call('within the rate limit', '/me', '/me');
    await call('rate limited', '/me', '/me');
    emulator.faults.reset();
    emulator.faults.update({ dailyQuota: 1 });
    await call('within the daily quota', played, played);
    await call('quota exceeded', played, played);
    emulator.faults.reset();
    emulator.faults.enqueue({ kind: '500' }, { kind: '503' });
    await call('server error 500', played, played);
    await call('server error 503', played, played);
  });

  afterAll(() => emulator?.stop());

  it('collected every kind of answer', () => {
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([200, 400, 401, 403, 404, 429, 500, 503]));
    expect(answers.some((answer) => answer.status === 200 && (answer.body as { items?: unknown[] }).items?.length === 0)).toBe(true);
  });

  it('answers exactly as the OpenAPI description says', () => {
    const failures: string[] = [];
    for (const answer of answers) {
      const definition = schemaFor(openApi, answer);
      for (const problem of openApi.validate(definition, answer.body)) failures.push(`${answer.name} (${answer.status} vs ${definition}): ${problem}`);
    }
    expect(failures).toEqual([]);
  });

  it('sends no field the description does not declare, except the documented ones', () => {
    const undeclared = new Set<string>();
    for (const answer of answers) for (const path of openApi.undeclaredProperties(schemaFor(openApi, answer), answer.body)) undeclared.add(path);
    expect([...undeclared]).toEqual([...KNOWN_UNDECLARED.keys()]);
  });

  it('sends the fields Spotify always sends even where the description leaves them optional', () => {
    const page = answers.find((answer) => answer.name === 'recently played, default page')!.body as Record<string, unknown>;
    expect(Object.keys(page).sort()).toEqual(['cursors', 'href', 'items', 'limit', 'next']);
    const item = (page.items as Array<Record<string, Record<string, unknown>>>)[0]!;
    expect(Object.keys(item.track!).sort()).toEqual(
      ['album', 'artists', 'available_markets', 'disc_number', 'duration_ms', 'explicit', 'external_ids', 'external_urls', 'href', 'id', 'is_local', 'name', 'popularity', 'preview_url', 'track_number', 'type', 'uri'].sort(),
    );
    expect(item.played_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('parses every answer with the zod schemas Playlog uses', () => {
    const failures: string[] = [];
    for (const answer of answers) {
      const schema = answer.status !== 200 ? webApiErrorBodySchema : answer.specPath === '/me' ? privateUserSchema : answer.specPath === '/tracks/{id}' ? trackSchema : recentlyPlayedPageSchema;
      const result = schema.safeParse(answer.body);
      if (!result.success) failures.push(`${answer.name}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
  });

  it('requires no field in the zod schemas that the description leaves optional, except the essential ones', () => {
    const extra = (schema: z.ZodType, definition: string) => {
      const ours = requiredPaths(z.toJSONSchema(schema, { io: 'input' }) as Parameters<typeof requiredPaths>[0]);
      const theirs = new Set(openApi.requiredPaths(definition));
      return ours.filter((path) => !theirs.has(path));
    };
    expect(extra(recentlyPlayedPageSchema, 'responses.CursorPagedPlayHistory')).toEqual([...SPOTIFY_ESSENTIAL_FIELDS.recentlyPlayedPage].sort());
    expect(extra(trackSchema, 'responses.OneTrack')).toEqual([...SPOTIFY_ESSENTIAL_FIELDS.track].sort());
    expect(extra(privateUserSchema, 'responses.OnePrivateUser')).toEqual([...SPOTIFY_ESSENTIAL_FIELDS.privateUser].sort());
    expect(extra(webApiErrorBodySchema, 'responses.Unauthorized')).toEqual([]);
  });
});

/** The spec's schema for an answer; statuses the path does not list use the spec's generic error responses. */
function schemaFor(openApi: SpotifyOpenApi, answer: Answer): string {
  const listed = answer.specPath && openApi.responseRef(answer.specPath, 'get', answer.status);
  if (listed) return listed;
  if (answer.specPath && !openApi.hasPath(answer.specPath)) throw new Error(`${answer.specPath} is not in the spec`);
  const generic: Record<number, string> = { 400: 'responses.BadRequest', 404: 'responses.NotFound' };
  // 5xx answers are not described per path; Spotify's JSON ones carry the same ErrorObject body.
  return generic[answer.status] ?? (answer.status >= 500 ? 'responses.Unauthorized' : `no schema for ${answer.status}`);
}
