import type { HistoryPosition } from '../../features/history/data/history.repository.js';
import { decodeCursor, defineCursor, encodeCursor } from '../relay/cursor.js';
import { isKeyInstant } from '../relay/opaque-token.js';

export type { HistoryPosition } from '../../features/history/data/history.repository.js';

/**
 * A history cursor is a position in a user's history: the (played_at, track_id) of a play, the key the
 * history is ordered by, with played_at in UTC with microseconds (Postgres' precision), so a cursor
 * points exactly between two stored rows even when plays share a millisecond.
 */
const historyCursor = defineCursor<HistoryPosition>({
  tag: 'p1',
  connection: 'listeningHistory',
  toParts: (position) => [position.playedAt, position.trackId],
  fromParts: (parts) => {
    const [playedAt, trackId] = parts;
    return parts.length === 2 && playedAt !== undefined && trackId !== undefined && isKeyInstant(playedAt) ? { playedAt, trackId } : null;
  },
});

export const encodeHistoryCursor = (position: HistoryPosition): string => encodeCursor(historyCursor, position);

export const decodeHistoryCursor = (cursor: string, argument: 'after' | 'before' = 'after'): HistoryPosition => decodeCursor(historyCursor, cursor, argument);
