import { decodeCursor, defineCursor, encodeCursor } from '../relay/cursor.js';

/** How far into the results a page may start: results that deep are not what a search is for. */
export const MAX_SEARCH_OFFSET = 1_000;

/** A search result's cursor: how many results come before the next page (the results are counted again for each page). */
const searchCursor = defineCursor<number>({
  tag: 's1',
  connection: 'search',
  toParts: (offset) => [String(offset)],
  fromParts: (parts) => (parts.length === 1 && /^(0|[1-9]\d{0,3})$/.test(parts[0]!) && Number(parts[0]) <= MAX_SEARCH_OFFSET ? Number(parts[0]) : null),
});

export const encodeSearchCursor = (offset: number): string => encodeCursor(searchCursor, offset);
export const decodeSearchCursor = (cursor: string): number => decodeCursor(searchCursor, cursor, 'after');
