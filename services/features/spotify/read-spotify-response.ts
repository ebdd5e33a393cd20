import type { z } from 'zod';
import { SpotifyError } from './spotify.errors.js';
import { describeSchemaProblems, webApiErrorBodySchema } from './spotify-schemas.js';

/**
 * Reads a Web API response defensively: a body that is not JSON (an HTML error page from a gateway,
 * a body cut short) or not the expected shape becomes a SpotifyError with a clear message, and error
 * statuses become the matching error kind. Messages name the endpoint, never a token.
 */
export async function readSpotifyResponse<T extends z.ZodType>(response: Response, schema: T, endpoint: string): Promise<z.infer<T>> {
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? 'no content-type';
  const json = parseJson(text);

  if (!response.ok) throw errorFromStatus(response, json, endpoint, contentType);
  if (json === undefined) {
    throw new SpotifyError('malformed_response', `Spotify ${endpoint} answered ${response.status} with a body that is not JSON (${contentType}, ${text.length} bytes)`, {
      status: response.status,
      endpoint,
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new SpotifyError('malformed_response', `Spotify ${endpoint} answered an unexpected shape: ${describeSchemaProblems(parsed.error)}`, {
      status: response.status,
      endpoint,
    });
  }
  return parsed.data;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function errorFromStatus(response: Response, json: unknown, endpoint: string, contentType: string): SpotifyError {
  const { status } = response;
  const body = webApiErrorBodySchema.safeParse(json);
  const spotifyMessage = body.success ? body.data.error.message : undefined;
  const reason = body.success ? body.data.error.reason : undefined;
  const said = spotifyMessage ? `: ${spotifyMessage}` : json === undefined ? ` (${contentType}, not JSON)` : '';
  const details = { status, endpoint, ...(spotifyMessage !== undefined && { spotifyMessage }) };
  const message = (what: string) => `Spotify ${endpoint} answered ${status} ${what}${said}`;

  if (status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    if (reason === 'QUOTA_EXCEEDED') return new SpotifyError('quota_exceeded', message('(quota exceeded)'), { ...details, ...(retryAfterMs !== undefined && { retryAfterMs }) });
    return new SpotifyError('rate_limited', message(`(rate limited, retry after ${Math.ceil((retryAfterMs ?? DEFAULT_RETRY_AFTER_MS) / 1000)} s)`), {
      ...details,
      retryAfterMs: retryAfterMs ?? DEFAULT_RETRY_AFTER_MS,
    });
  }
  if (status === 401) return new SpotifyError('unauthorized', message('(unauthorized)'), details);
  if (status === 403) return new SpotifyError('forbidden', message('(forbidden)'), details);
  if (status === 404) return new SpotifyError('not_found', message('(not found)'), details);
  if (status >= 500) return new SpotifyError('server_error', message('(server error)'), details);
  return new SpotifyError('bad_request', message('(bad request)'), details);
}

/** Spotify always sends Retry-After with a 429; if it ever does not, wait this long. */
const DEFAULT_RETRY_AFTER_MS = 5_000;

/** Retry-After is delta-seconds (what Spotify sends) or an HTTP date. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}
