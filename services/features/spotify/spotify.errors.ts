/**
 * Why a call to Spotify failed, as a stable kind the worker and the API decide on:
 * - retry later: `rate_limited` (after `retryAfterMs`), `server_error`, `timeout`, `network`, `malformed_response`;
 * - refresh the access token: `unauthorized`;
 * - the user must log in again: `invalid_grant` (refresh token revoked, rotated away or past its lifetime);
 * - fix the configuration: `invalid_client`;
 * - wait for the next day: `quota_exceeded`;
 * - give up on this request: `forbidden` (missing scope), `not_found`, `bad_request`, `access_denied` (the user refused).
 */
export type SpotifyErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'server_error'
  | 'timeout'
  | 'network'
  | 'malformed_response'
  | 'not_found'
  | 'bad_request'
  | 'invalid_grant'
  | 'invalid_client'
  | 'access_denied';

const RETRYABLE: ReadonlySet<SpotifyErrorKind> = new Set(['rate_limited', 'server_error', 'timeout', 'network', 'malformed_response']);

export interface SpotifyErrorDetails {
  /** HTTP status, when Spotify answered. */
  status?: number;
  /** For rate_limited / quota_exceeded: how long Spotify asked us to wait (Retry-After). */
  retryAfterMs?: number;
  /** Spotify's own message or OAuth error_description (never carries a secret). */
  spotifyMessage?: string;
  /** What was called, e.g. "GET /me/player/recently-played" (no query string, no host). */
  endpoint?: string;
  cause?: unknown;
}

/** The one error type of the Spotify client. Its message never contains a token, code or secret. */
export class SpotifyError extends Error {
  readonly kind: SpotifyErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly spotifyMessage: string | undefined;
  readonly endpoint: string | undefined;

  constructor(kind: SpotifyErrorKind, message: string, details: SpotifyErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SpotifyError';
    this.kind = kind;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.spotifyMessage = details.spotifyMessage;
    this.endpoint = details.endpoint;
  }

  /** Whether trying the same call again later may succeed (the quota does not come back soon). */
  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}

export const isSpotifyError = (error: unknown): error is SpotifyError => error instanceof SpotifyError;
