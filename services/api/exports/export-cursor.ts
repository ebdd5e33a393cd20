import type { ExportListPosition } from '../../features/exports/data/export-pages.repository.js';
import { decodeCursor, defineCursor, encodeCursor } from '../relay/cursor.js';
import { isKeyInstant, isUuid } from '../relay/opaque-token.js';

/** An exports cursor: an export's (created_at with microseconds, id), the key the user’s exports are ordered by. */
const exportCursor = defineCursor<ExportListPosition>({
  tag: 'x1',
  connection: 'exports',
  toParts: (position) => [position.createdAt, position.id],
  fromParts: (parts) => {
    const [createdAt, id] = parts;
    return parts.length === 2 && createdAt !== undefined && id !== undefined && isKeyInstant(createdAt) && isUuid(id) ? { createdAt, id } : null;
  },
});

export const encodeExportCursor = (position: ExportListPosition): string => encodeCursor(exportCursor, position);

export const decodeExportCursor = (cursor: string, argument: 'after' | 'before'): ExportListPosition => decodeCursor(exportCursor, cursor, argument);
