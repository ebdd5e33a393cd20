import type { z } from 'zod';
import { readSpotifyResponse } from './read-spotify-response.js';
import { SpotifyError } from './spotify.errors.js';
import { statusOfFailure, type SpotifyObserver } from './spotify-observer.js';
import {
  privateUserSchema,
  recentlyPlayedPageSchema,
  trackSchema,
  type SpotifyPrivateUser,
  type SpotifyRecentlyPlayedPage,
  type SpotifyTrack,
} from './spotify-schemas.js';

export interface SpotifyApiClientOptions {
  /** SPOTIFY_API_URL, e.g. https://api.spotify.com/v1 or the emulator's http://127.0.0.1:4100/v1 */
  apiUrl: string;
  /** SPOTIFY_HTTP_TIMEOUT_MS: the whole call, body included. */
  timeoutMs: number;
  /** For tests; default: global fetch. */
  fetch?: typeof fetch;
  /** Told of every request (the worker's metrics). */
  observer?: SpotifyObserver;
}

export interface RecentlyPlayedQuery {
  /** Unix ms, exclusive: plays that ended after it (the oldest `limit` of them). */
  after?: number;
  /** Unix ms, exclusive: plays that ended before it (the newest `limit` of them). */
  before?: number;
  /** 1..50, Spotify's default 20. */
  limit?: number;
}

/**
 * The Web API calls Playlog makes, with a timeout, defensive parsing and one error type
 * (SpotifyError, whose `kind` says what to do). The access token is sent, never logged or put in a message.
 */
export class SpotifyApiClient {
  private readonly apiUrl: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: SpotifyApiClientOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.fetch = options.fetch ?? fetch;
  }

  /** The current user's profile (`GET /me`). */
  getMe(accessToken: string): Promise<SpotifyPrivateUser> {
    return this.get(accessToken, '/me', new URLSearchParams(), privateUserSchema);
  }

  /** One page of `GET /me/player/recently-played`, newest first. */
  getRecentlyPlayed(accessToken: string, query: RecentlyPlayedQuery = {}): Promise<SpotifyRecentlyPlayedPage> {
    if (query.after !== undefined && query.before !== undefined) throw new RangeError('recently-played takes after or before, not both');
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && !Number.isSafeInteger(value)) throw new RangeError(`recently-played ${name} must be a whole number`);
    }
    if (query.limit !== undefined && (query.limit < 1 || query.limit > 50)) throw new RangeError('recently-played limit must be 1..50');
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.after !== undefined) params.set('after', String(query.after));
    if (query.before !== undefined) params.set('before', String(query.before));
    return this.get(accessToken, '/me/player/recently-played', params, recentlyPlayedPageSchema);
  }

  /** Follows a page's `next` URL; refuses one outside SPOTIFY_API_URL, so the token goes nowhere else. */
  getRecentlyPlayedNext(accessToken: string, next: string): Promise<SpotifyRecentlyPlayedPage> {
    const prefix = `${this.apiUrl}/me/player/recently-played`;
    if (!next.startsWith(`${prefix}?`)) throw new RangeError('next does not point at this API’s recently-played endpoint');
    return this.get(accessToken, '/me/player/recently-played', new URLSearchParams(next.slice(prefix.length + 1)), recentlyPlayedPageSchema);
  }

  /** One track (`GET /tracks/{id}`): Spotify no longer serves batch look-ups to apps like Playlog. */
  getTrack(accessToken: string, id: string): Promise<SpotifyTrack> {
    if (!/^[0-9A-Za-z]{1,64}$/.test(id)) throw new RangeError('a track id is base62');
    return this.get(accessToken, `/tracks/${id}`, new URLSearchParams(), trackSchema);
  }

  private async get<T extends z.ZodType>(accessToken: string, path: string, params: URLSearchParams, schema: T): Promise<z.infer<T>> {
    const endpoint = `GET ${path.startsWith('/tracks/') ? '/tracks/{id}' : path}`;
    const query = params.size > 0 ? `?${params}` : '';
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    const startedAt = performance.now();
    try {
      const response = await this.fetch(`${this.apiUrl}${path}${query}`, {
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
        signal,
      });
      const body = await readSpotifyResponse(response, schema, endpoint);
      this.options.observer?.request(endpoint, String(response.status), (performance.now() - startedAt) / 1000);
      return body;
    } catch (error) {
      const failure = toSpotifyError(error, endpoint, this.options.timeoutMs);
      this.options.observer?.request(endpoint, statusOfFailure(failure), (performance.now() - startedAt) / 1000);
      throw failure;
    }
  }
}

/** Turns what fetch throws into a SpotifyError: timeout when our deadline hit, network for the rest. */
export function toSpotifyError(error: unknown, endpoint: string, timeoutMs: number): SpotifyError {
  if (error instanceof SpotifyError) return error;
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new SpotifyError('timeout', `Spotify ${endpoint} did not answer within ${timeoutMs} ms`, { endpoint, cause: error });
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  const reason = code ?? (cause instanceof Error ? cause.message : String(cause));
  return new SpotifyError('network', `Spotify ${endpoint} could not be reached: ${reason}`, { endpoint, cause: error });
}
