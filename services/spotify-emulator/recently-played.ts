import type { SyntheticPlay } from './synthetic-listeners.js';

export interface RecentlyPlayedQuery {
  limit: number;
  after?: number;
  before?: number;
}

export interface RecentlyPlayedSlice {
  /** Newest first. */
  items: SyntheticPlay[];
  /** Where the next page in the same direction starts, or null when there is none. */
  next: { after: number } | { before: number } | null;
}

/**
 * Cursor semantics of `GET /me/player/recently-played` over the retrievable plays (newest first):
 * - no cursor: the newest `limit`; the next page goes back in time (`before` = oldest returned);
 * - `before=T`: the newest `limit` plays with played_at < T; next goes further back;
 * - `after=T`: the OLDEST `limit` plays with played_at > T, so following `next` walks towards now.
 */
export function sliceRecentlyPlayed(retrievable: readonly SyntheticPlay[], query: RecentlyPlayedQuery): RecentlyPlayedSlice {
  const { limit, after, before } = query;
  if (after !== undefined) {
    const newer = retrievable.filter((play) => play.playedAtMs > after);
    const items = newer.slice(Math.max(0, newer.length - limit));
    return { items, next: newer.length > limit ? { after: items[0]!.playedAtMs } : null };
  }
  const older = before === undefined ? [...retrievable] : retrievable.filter((play) => play.playedAtMs < before);
  const items = older.slice(0, limit);
  return { items, next: older.length > limit ? { before: items[items.length - 1]!.playedAtMs } : null };
}

export type QueryProblem = { problem: string };

/** Parses the query string as Spotify validates it; the messages are the emulator's (Spotify's vary). */
export function parseRecentlyPlayedQuery(query: Record<string, unknown>): RecentlyPlayedQuery | QueryProblem {
  const single = (name: string): string | undefined => {
    const value = query[name];
    return Array.isArray(value) ? String(value[value.length - 1]) : value === undefined ? undefined : String(value);
  };
  const limitText = single('limit');
  const afterText = single('after');
  const beforeText = single('before');
  let limit = 20;
  if (limitText !== undefined) {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 50) return { problem: 'Invalid limit' };
    limit = Number(limitText);
  }
  if (afterText !== undefined && beforeText !== undefined) return { problem: 'Only one of after and before can be specified' };
  const cursor = (text: string | undefined, name: string): number | QueryProblem | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d{1,15}$/.test(text)) return { problem: `Invalid ${name} cursor` };
    return Number(text);
  };
  const after = cursor(afterText, 'after');
  if (typeof after === 'object') return after;
  const before = cursor(beforeText, 'before');
  if (typeof before === 'object') return before;
  return { limit, ...(after !== undefined && { after }), ...(before !== undefined && { before }) };
}
