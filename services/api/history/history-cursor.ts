import type { HistoryPosition } from '../../shared/db/repositories/history.repository.js';
import { badUserInput } from '../app-error.js';

export type { HistoryPosition } from '../../shared/db/repositories/history.repository.js';

/**
 * A cursor is a position in a user's history: the (played_at, track_id) of the last play of a page, the
 * key the history is ordered by. Opaque to clients: base64url of `["p1", "<played_at>", "<track_id>"]`, where
 * played_at is UTC with microseconds (Postgres' precision), so a cursor points exactly between two
 * stored rows even when plays share a millisecond. A cursor is only a position: it names no user, and
 * the user a page belongs to always comes from the session, so another user's cursor reveals nothing.
 */
const VERSION = 'p1';
/** Longest cursor accepted; real ones are about 100 characters. */
export const MAX_CURSOR_LENGTH = 512;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z$/;
/** Spotify ids are base62; imports may store other printable ids. No spaces, no control characters. */
const TRACK_ID = /^[\x21-\x7e]{1,200}$/;

export function encodeHistoryCursor(position: HistoryPosition): string {
  return Buffer.from(JSON.stringify([VERSION, position.playedAt, position.trackId]), 'utf8').toString('base64url');
}

/** Decodes a cursor from a client, strictly: anything but a cursor this API made is BAD_USER_INPUT. */
export function decodeHistoryCursor(cursor: string): HistoryPosition {
  const invalid = () => badUserInput('after is not a cursor from this API: pass a cursor or endCursor from a previous page', 'after');
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid();
  const [version, playedAt, trackId] = parsed as unknown[];
  if (version !== VERSION || typeof playedAt !== 'string' || typeof trackId !== 'string') throw invalid();
  if (!isValidTimestamp(playedAt) || !TRACK_ID.test(trackId)) throw invalid();
  // Canonical form only: the same position has one cursor (no padding or re-encoding variants).
  if (encodeHistoryCursor({ playedAt, trackId }) !== cursor) throw invalid();
  return { playedAt, trackId };
}

/** A real instant between year 1 and 9999 (what Postgres and JS both represent), in the canonical form. */
function isValidTimestamp(value: string): boolean {
  const match = TIMESTAMP.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1) return false;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  );
}
