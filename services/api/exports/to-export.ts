import type { ExportRecord } from '../../features/exports/data/exports.repository.js';
import { toGlobalId } from '../relay/global-id.js';
import type { Export, ExportFormat, ExportStatus } from './export.type.js';

/** The download path of an export, by its global id (GET /exports/:id/download). */
export const downloadPath = (globalId: string): string => `/exports/${globalId}/download`;

export function toExport(record: ExportRecord): Export {
  const id = toGlobalId({ type: 'Export', exportId: record.id });
  const completed = record.status === 'completed';
  return {
    __typename: 'Export',
    id,
    status: record.status as ExportStatus,
    format: record.format as ExportFormat,
    rows: completed ? record.rows : null,
    skipped: completed ? record.skipped : null,
    bytes: completed ? record.bytes : null,
    error: record.error,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
    downloadUrl: completed ? downloadPath(id) : null,
  };
}
