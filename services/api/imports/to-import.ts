import type { ImportRecord } from '../../features/streaming-history/data/imports.repository.js';
import { toGlobalId } from '../relay/global-id.js';
import type { Import, ImportStatus } from './import.type.js';

export function toImport(record: ImportRecord): Import {
  return {
    __typename: 'Import',
    id: toGlobalId({ type: 'Import', importId: record.id }),
    status: record.status as ImportStatus,
    fileName: record.fileName,
    fileBytes: record.fileBytes,
    counts: {
      rowsRead: record.rowsRead,
      stored: record.stored,
      duplicates: record.duplicates,
      shortPlays: record.shortPlays,
      unknownTracks: record.unknownTracks,
      skippedPodcast: record.skippedPodcast,
      skippedLocal: record.skippedLocal,
      skippedMalformed: record.skippedMalformed,
      tracksFetched: record.tracksFetched,
    },
    problems: record.problems,
    error: record.error,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
  };
}
