import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenCipher } from '../../shared/crypto/token-cipher.js';
import { loadPollContext, recordPollSuccess } from '../../features/polling/data/poll-state.repository.js';
import type { Logger } from '../../shared/logging/logger.js';
import { fromSpotifyItem, type SkipReason } from '../../features/plays/from-spotify-item.js';
import { ingestPlays } from '../../features/plays/ingest-plays.js';
import type { PlayInput } from '../../features/plays/play-input.js';
import { ReauthRequiredError } from '../../features/spotify/reauth-required.error.js';
import type { SpotifyApiClient } from '../../features/spotify/spotify-api.client.js';
import type { SpotifyOAuthClient } from '../../features/spotify/spotify-oauth.client.js';
import { SpotifyError } from '../../features/spotify/spotify.errors.js';
import type { SpotifyRecentlyPlayedPage } from '../../features/spotify/spotify-schemas.js';
import type { WorkerMetrics } from '../metrics/worker-metrics.js';
import { refreshDeadline } from '../tokens/refresh-deadline.js';
import { freshAccessToken, type FreshToken, type TokenSettings } from '../tokens/refresh-tokens.js';

export interface PollUserDeps {
  cipher: TokenCipher;
  api: SpotifyApiClient;
  oauth: SpotifyOAuthClient;
  tokens: TokenSettings;
  maxPages: number;
  /**
   * How far before the cursor each poll reads again (WORKER_POLL_LOOKBACK_HOURS; default
   * DEFAULT_POLL_LOOKBACK_MS): a play made offline reaches recently-played hours late with its old
   * `played_at`, older than the cursor, and `after=<cursor>` alone would never return it.
   */
  lookbackMs?: number;
  /** Plays per recently-played request: 50 (Spotify's maximum) in production; tests page with less. */
  pageSize?: number;
  now: () => number;
  /** Counts new plays and the time between a user's successful polls (absent: nothing is counted). */
  metrics?: WorkerMetrics;
}

export type PollOutcome =
  | {
      status: 'polled';
      pages: number;
      /** Items Spotify returned. */
      fetched: number;
      /** Plays stored for the first time (the rest were already there). */
      new: number;
      skipped: Partial<Record<SkipReason, number>>;
      artistsWithoutId: number;
      tokenRefreshed: boolean;
      cursorMs: number | null;
      reauthBy: string;
      reauthSoon: boolean;
    }
  | { status: 'nothing_to_do'; reason: 'user_not_found' | 'user_reauth_required' | 'user_disabled' };

const MAX_PAGE_SIZE = 50;
/** Spotify delivers offline plays once the device is back online: hours late, rarely a day. */
export const DEFAULT_POLL_LOOKBACK_MS = 24 * 3_600_000;

/**
 * Polls one user: fresh access token, then recently-played from a lookback before the stored cursor (the
 * newest `played_at` stored), page by page towards now, each page stored (and the cursor advanced) in one
 * idempotent statement; the last one also records the poll's success in poll_state. Plays already stored
 * are recognised by ingestPlays and stored nothing twice; plays Spotify delivered late, with a `played_at`
 * older than the cursor, are read by the lookback. Running it twice, or after a crash halfway, stores
 * nothing twice and loses nothing still retrievable.
 */
export async function pollUser(deps: PollUserDeps, em: EntityManager, userId: string, log: Logger): Promise<PollOutcome> {
  const context = await loadPollContext(em, deps.cipher, userId);
  if (context === null) return { status: 'nothing_to_do', reason: 'user_not_found' };
  if (context.status !== 'active') return { status: 'nothing_to_do', reason: `user_${context.status}` };

  const stored = context.credentials;
  if (!stored) throw new ReauthRequiredError('No Spotify credentials are stored for this user: they must log in again.');
  let token: FreshToken = await freshAccessToken(em, deps, userId, stored, deps.tokens);
  let tokenRefreshed = token.refreshed;
  let refreshedAfter401 = false;

  // A 401 means the access token died early (Spotify can expire it before expires_in): refresh once and
  // try again; a second 401 with a token Spotify just issued means the user's grant is gone.
  const withToken = async (call: (accessToken: string) => Promise<SpotifyRecentlyPlayedPage>): Promise<SpotifyRecentlyPlayedPage> => {
    try {
      return await call(token.credentials.accessToken);
    } catch (error) {
      if (!(error instanceof SpotifyError) || error.kind !== 'unauthorized') throw error;
      if (refreshedAfter401) throw new ReauthRequiredError(`The user must log in again: Spotify refused a freshly refreshed access token (${error.message})`, { cause: error });
      refreshedAfter401 = true;
      log.info({ spotifyMessage: error.spotifyMessage }, 'Spotify refused the access token: refreshing it once');
      token = await freshAccessToken(em, deps, userId, token.credentials, deps.tokens, { force: true });
      tokenRefreshed ||= token.refreshed;
      return withToken(call);
    }
  };

  let cursor = context.afterCursorMs;
  const outcome = { pages: 0, fetched: 0, new: 0, skipped: {} as Partial<Record<SkipReason, number>>, artistsWithoutId: 0 };

  // Always forwards in time: `after` returns the oldest plays newer than it (all Spotify still has on a
  // first poll, from 0), and `next` moves towards now, so the cursor can advance after every page. It starts
  // a lookback before the cursor: Spotify adds an offline play late at its old place, behind the cursor.
  const limit = deps.pageSize ?? MAX_PAGE_SIZE;
  let after = cursor === null ? 0 : Math.max(0, cursor - (deps.lookbackMs ?? DEFAULT_POLL_LOOKBACK_MS));
  let page = await withToken((accessToken) => deps.api.getRecentlyPlayed(accessToken, { limit, after }));
  for (;;) {
    outcome.pages++;
    outcome.fetched += page.items.length;
    const plays: PlayInput[] = [];
    let newestMs: number | null = null;
    for (const item of page.items) {
      const playedAtMs = Date.parse(item.played_at);
      newestMs = newestMs === null ? playedAtMs : Math.max(newestMs, playedAtMs);
      const mapped = fromSpotifyItem(item);
      if (mapped.skipped) {
        outcome.skipped[mapped.skipped] = (outcome.skipped[mapped.skipped] ?? 0) + 1;
        log.info({ skip: mapped.skipped }, `play not stored: ${mapped.detail}`);
        continue;
      }
      outcome.artistsWithoutId += mapped.artistsWithoutId;
      plays.push(mapped.play);
    }

    const next = nextPage(page, after, outcome.pages, deps.maxPages);
    // The poll's success is recorded with its last page's plays, in the same statement, or on its own.
    const succeededAt = next.after === null ? new Date() : undefined;
    if (newestMs !== null) {
      // The cursor moves past skipped items too: they will never be stored, so fetching them again is waste.
      const result = await ingestPlays(em, { userId, plays, source: 'poll', advanceCursorToMs: newestMs, pollSucceededAt: succeededAt });
      outcome.new += result.inserted;
      deps.metrics?.stored('poll', result.inserted);
      cursor = cursor === null ? newestMs : Math.max(cursor, newestMs);
    } else if (succeededAt) {
      await recordPollSuccess(em, userId, succeededAt);
    }

    if (next.warning) log.warn(next.warning.detail, next.warning.message);
    if (next.after === null) break;
    after = next.after;
    page = await withToken((accessToken) => deps.api.getRecentlyPlayed(accessToken, { limit, after }));
  }

  if (context.lastSuccessAt) deps.metrics?.polledAfter((deps.now() - context.lastSuccessAt.getTime()) / 1000);
  const deadline = refreshDeadline(token.credentials.authorizedAt, deps.now(), deps.tokens);
  return { status: 'polled', ...outcome, tokenRefreshed, cursorMs: cursor, reauthBy: deadline.at.toISOString(), reauthSoon: deadline.warn };
}

interface NextPage {
  /** The `after` of the next request, or null when this page is the poll's last. */
  after: number | null;
  warning?: { detail: Record<string, number>; message: string };
}

/** Whether to fetch another page after this one (decided before storing it, so the last store can end the poll). */
function nextPage(page: SpotifyRecentlyPlayedPage, after: number, pages: number, maxPages: number): NextPage {
  if (page.items.length === 0 || !page.next) return { after: null };
  const nextAfter = afterParameter(page.next);
  // Not an `after` link (a `before` one walks back in time): nothing newer to fetch.
  if (nextAfter === null) return { after: null };
  if (nextAfter <= after) {
    return {
      after: null,
      warning: { detail: { after, nextAfter }, message: 'Spotify returned a next page that does not move forward: stopped paging (the next poll continues from the cursor)' },
    };
  }
  if (pages >= maxPages) return { after: null, warning: { detail: { pages }, message: 'stopped paging at WORKER_MAX_PAGES (the next poll continues from the cursor)' } };
  return { after: nextAfter };
}

/** The `after` cursor of a `next` URL, or null when it has none (a `before` link, or not a URL). */
function afterParameter(next: string): number | null {
  try {
    const value = new URL(next).searchParams.get('after');
    return value !== null && /^\d+$/.test(value) ? Number(value) : null;
  } catch {
    return null;
  }
}
