import { rm } from 'node:fs/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isShortPlay, type ExportPlay } from '../../shared/imports/export-row.js';
import type { ImportProblem } from '../../shared/db/entities/import.entity.js';
import { emptyCounts, finishImport, recordChunk, startImport, type ImportCounts } from '../../shared/db/repositories/imports.repository.js';
import { ExportFileError, readExport, type ExportPosition, type ExportRow } from '../../shared/imports/read-export.js';
import type { Logger } from '../../shared/logging/logger.js';
import { ingestPlays } from '../../shared/plays/ingest-plays.js';
import type { PlayInput } from '../../shared/plays/play-input.js';
import { ImportTrackResolver, type TrackLookupDeps } from './import-tracks.js';

export interface ImportExportDeps extends TrackLookupDeps {
  /** Rows per chunk: one transaction (plays + counts + checkpoint) each. */
  chunkRows: number;
}

export type ImportOutcome =
  | { status: 'completed' | 'cancelled'; counts: ImportCounts }
  | { status: 'nothing_to_do'; reason: 'import_not_found' | 'import_finished' }
  | { status: 'moved_on' };

/**
 * Imports one uploaded export: streams its rows from the checkpoint, classifies each (export-row.ts:
 * private fields dropped there), links or fetches the tracks, and stores each chunk with ingestPlays
 * (source 'import') in ONE transaction with the chunk's counts and the new checkpoint. Killed at any
 * point, the next run continues after the last committed chunk, and what a half-done chunk stored is
 * rolled back with it; run twice, it stores nothing twice (one play per user, track and second).
 */
export async function importExport(deps: ImportExportDeps, em: EntityManager, importId: string, log: Logger): Promise<ImportOutcome> {
  const started = await startImport(em, importId);
  if (!started) return { status: 'nothing_to_do', reason: 'import_not_found' };
  const userId = started.userId;
  const resolver = new ImportTrackResolver(deps, userId);
  const total = emptyCounts();
  let position: ExportPosition = { entry: started.resumeEntry, row: started.resumeRow };
  if (position.entry > 0 || position.row > 0) log.info({ resumeEntry: position.entry, resumeRow: position.row }, 'resuming the import from its checkpoint');

  const storeChunk = async (rows: ExportRow[], next: ExportPosition, extraProblems: ImportProblem[] = []): Promise<'recorded' | 'cancelled' | 'moved_on'> => {
    const counts = emptyCounts();
    const problems = [...extraProblems];
    const plays: ExportPlay[] = [];
    for (const row of rows) {
      counts.rowsRead++;
      const { parsed } = row;
      if ('play' in parsed) {
        plays.push(parsed.play);
        continue;
      }
      if (parsed.skip === 'podcast') counts.skippedPodcast++;
      else if (parsed.skip === 'local') counts.skippedLocal++;
      else {
        counts.skippedMalformed++;
        problems.push({ file: row.file, row: row.row, message: parsed.message });
      }
    }
    const fetchedBefore = resolver.fetched;
    const tracks = await resolver.resolve(em, plays);
    counts.tracksFetched = resolver.fetched - fetchedBefore;
    const inputs: PlayInput[] = plays.map((play) => {
      const track = tracks.get(play.trackId)!;
      if (isShortPlay(play.msPlayed)) counts.shortPlays++;
      if (track.unknown) counts.unknownTracks++;
      return { playedAt: play.playedAt, msPlayed: play.msPlayed, context: null, track: track.input };
    });

    const outcome = await em.transactional(async (tx) => {
      const result = inputs.length > 0 ? await ingestPlays(tx, { userId, plays: inputs, source: 'import' }) : { received: 0, inserted: 0 };
      counts.stored = result.inserted;
      counts.duplicates = inputs.length - result.inserted;
      const recorded = await recordChunk(tx, importId, position, next, counts, problems);
      // Cancelled meanwhile, or another run is ahead of us: this chunk's plays are not ours to keep (rolled back).
      if (recorded !== 'recorded') throw new ChunkRejected(recorded);
      return recorded;
    }).catch((error: unknown) => {
      if (error instanceof ChunkRejected) return error.outcome;
      throw error;
    });
    if (outcome === 'recorded') {
      addCounts(total, counts);
      position = next;
    }
    return outcome;
  };

  for (;;) {
    let rows: ExportRow[] = [];
    try {
      // Rows come reduced to what is kept (the raw rows, private fields included, die in readExport), so a
      // chunk holds small objects while it waits for Spotify and Postgres.
      for await (const batch of readExport(started.filePath, position)) {
        for (const row of batch) {
          rows.push(row);
          if (rows.length >= deps.chunkRows) {
            const outcome = await storeChunk(rows, { entry: row.entry, row: row.row + 1 });
            rows = [];
            if (outcome !== 'recorded') return stop(outcome);
          }
        }
      }
      // The last chunk (possibly empty: it still checks the import was not cancelled meanwhile).
      const last = rows.at(-1);
      const outcome = await storeChunk(rows, last ? { entry: last.entry, row: last.row + 1 } : position);
      if (outcome !== 'recorded') return stop(outcome);
      break;
    } catch (error) {
      if (!(error instanceof ExportFileError)) throw error;
      // One unreadable file: what it yielded so far is kept, the problem recorded, and the next file read.
      const last = rows.at(-1);
      const failedEntry = last?.entry ?? position.entry;
      log.warn({ file: error.file }, error.message);
      const outcome = await storeChunk(rows, { entry: failedEntry + 1, row: 0 }, [{ file: error.file, row: last ? last.row + 1 : position.row, message: error.message }]);
      if (outcome !== 'recorded') return stop(outcome);
    }
  }

  await finishImport(em, importId, 'completed');
  await rm(started.filePath, { force: true });
  return { status: 'completed', counts: total };

  async function stop(outcome: 'cancelled' | 'moved_on'): Promise<ImportOutcome> {
    if (outcome === 'moved_on') return { status: 'moved_on' };
    await rm(started!.filePath, { force: true });
    return { status: 'cancelled', counts: total };
  }
}

class ChunkRejected extends Error {
  constructor(readonly outcome: 'cancelled' | 'moved_on') {
    super(outcome);
  }
}

function addCounts(total: ImportCounts, more: ImportCounts): void {
  for (const key of Object.keys(total) as Array<keyof ImportCounts>) total[key] += more[key];
}
