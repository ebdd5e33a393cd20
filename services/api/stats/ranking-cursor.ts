import type { RankedKind, RankOrder, RankPosition } from '../../features/statistics/data/stats-rankings.repository.js';
import { decodeCursor, defineCursor, encodeCursor } from '../relay/cursor.js';

/** A ranking's cursor: the last item's measures and catalogue id, for one kind of ranking and one order. */
const cursors = new Map<string, ReturnType<typeof defineCursor<RankPosition>>>();
const WHOLE = /^(0|[1-9]\d{0,15})$/;

function cursorOf(kind: RankedKind, order: RankOrder) {
  const key = `${kind}:${order}`;
  let cursor = cursors.get(key);
  if (!cursor) {
    cursor = defineCursor<RankPosition>({
      // The whole kind: album and artist share their first letter.
      tag: `r1${kind}${order[0]}`,
      connection: `top${kind[0]!.toUpperCase()}${kind.slice(1)}s(orderBy: ${order.toUpperCase()})`,
      toParts: (position) => [String(position.plays), String(position.ms), position.id],
      fromParts: (parts) => {
        const [plays, ms, id] = parts;
        if (parts.length !== 3 || plays === undefined || ms === undefined || id === undefined || !WHOLE.test(plays) || !WHOLE.test(ms)) return null;
        const position = { plays: Number(plays), ms: Number(ms), id };
        return Number.isSafeInteger(position.plays) && Number.isSafeInteger(position.ms) ? position : null;
      },
    });
    cursors.set(key, cursor);
  }
  return cursor;
}

// Every ranking's tag is known from the start, so a cursor of one is named when passed to another.
for (const kind of ['track', 'album', 'artist'] as const) for (const order of ['plays', 'time'] as const) cursorOf(kind, order);

export const encodeRankingCursor = (kind: RankedKind, order: RankOrder, position: RankPosition): string => encodeCursor(cursorOf(kind, order), position);

export const decodeRankingCursor = (kind: RankedKind, order: RankOrder, cursor: string): RankPosition => decodeCursor(cursorOf(kind, order), cursor, 'after');
