import type { ImportPosition } from '../../features/streaming-history/data/import-pages.repository.js';
import { decodeCursor, defineCursor, encodeCursor } from '../relay/cursor.js';
import { isKeyInstant, isUuid } from '../relay/opaque-token.js';

/** An imports cursor: an import's (created_at with microseconds, id), the key the user's imports are ordered by. */
const importCursor = defineCursor<ImportPosition>({
  tag: 'i1',
  connection: 'imports',
  toParts: (position) => [position.createdAt, position.id],
  fromParts: (parts) => {
    const [createdAt, id] = parts;
    return parts.length === 2 && createdAt !== undefined && id !== undefined && isKeyInstant(createdAt) && isUuid(id) ? { createdAt, id } : null;
  },
});

export const encodeImportCursor = (position: ImportPosition): string => encodeCursor(importCursor, position);

export const decodeImportCursor = (cursor: string, argument: 'after' | 'before'): ImportPosition => decodeCursor(importCursor, cursor, argument);
