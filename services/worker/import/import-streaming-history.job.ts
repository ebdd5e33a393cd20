import { access } from 'node:fs/promises';
import { ForeignKeyConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isShortPlay, type StreamingHistoryPlay } from '../../features/streaming-history/streaming-history-row.js';
import type { ImportProblem } from '../../features/streaming-history/data/import.entity.js';
import { rememberStreamingHistoryNames } from '../../features/catalogue/data/streaming-history-names.repository.js';
import { emptyCounts, finishImport, importExists, recordChunk, startImport, type ImportCounts } from '../../features/streaming-history/data/imports.repository.js';
import { deleteUpload } from '../../features/streaming-history/import-files.js';
import { StreamingHistoryFileError, StreamingHistoryRefusedError, readStreamingHistory, type StreamingHistoryLimits, type StreamingHistoryPosition, type StreamingHistoryRow } from '../../features/streaming-history/read-streaming-history.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { JobTurn } from '../jobs/queue-worker.js';
import { ingestPlays } from '../../features/plays/ingest-plays.js';
import type { ValidListen } from '../../features/listenbrainz/listen-payload.js';
import { storeListens } from '../../features/listenbrainz/store-listens.js';
import type { PlayInput } from '../../features/plays/play-input.js';
import { streamingHistoryNamesOfChunk, ImportTrackResolver, type TrackLookupDeps } from './import-tracks.js';
import type { WorkerMetrics } from '../metrics/worker-metrics.js';

/** What one import may hold and how long it runs before others get a turn (docs/import.md, "Limits"). */
export interface ImportLimits extends StreamingHistoryLimits {
  /** Rows read from all its files; past it the import fails, keeping what the rows before stored. */
  maxRows: number;
  /** After this long, a run hands the worker to other waiting imports and continues after them. */
  turnMs: number;
}

export interface ImportStreamingHistoryDeps extends TrackLookupDeps {
  /** Rows per chunk: one transaction (plays + counts + checkpoint) each. */
  chunkRows: number;
  limits: ImportLimits;
  /** Counts the rows of each committed chunk by outcome (absent: nothing is counted). */
  metrics?: WorkerMetrics;
}

export type ImportOutcome =
  | { status: 'completed' | 'cancelled'; counts: ImportCounts }
  /** Its turn is over and other imports are waiting: it continues from its checkpoint after them. */
  | { status: 'yielded'; counts: ImportCounts }
  | { status: 'nothing_to_do'; reason: 'import_not_found' | 'import_finished' }
  | { status: 'moved_on' };

/**
 * Imports one uploaded streaming history: streams its rows from the checkpoint, classifies each
 * (streaming-history-row.ts: private fields dropped there), links or fetches the tracks, and stores each
 * chunk with ingestPlays (source 'import') in ONE transaction with the chunk's counts and the new
 * checkpoint. Killed at any point, the next run continues after the last committed chunk, and what a
 * half-done chunk stored is rolled back with it; run twice, it stores nothing twice (one play per user,
 * track and second).
 *
 * A streaming history larger than `limits` allow is refused (StreamingHistoryRefusedError: its file
 * deleted, the import failed once with the reason); past `limits.turnMs`, between chunks, a run with
 * other imports waiting returns `yielded` and continues from its checkpoint after them.
 */
export async function importStreamingHistory(deps: ImportStreamingHistoryDeps, em: EntityManager, importId: string, log: Logger, turn: JobTurn): Promise<ImportOutcome> {
  const started = await startImport(em, importId);
  if (!started) return { status: 'nothing_to_do', reason: 'import_not_found' };
  const turnEndsAt = Date.now() + deps.limits.turnMs;
  const userId = started.userId;
  const { limits } = deps;
  // Rows of earlier runs count too: a resumed import is not granted its limit again.
  let rowsRead = started.rowsRead;
  const filePath = started.filePath;
  if (filePath === null || !(await access(filePath).then(() => true, () => false))) {
    throw new StreamingHistoryRefusedError('The uploaded file is no longer there (it was deleted); upload the streaming history again.');
  }
  const resolver = new ImportTrackResolver(deps, userId);
  const total = emptyCounts();
  let position: StreamingHistoryPosition = { entry: started.resumeEntry, row: started.resumeRow };
  if (position.entry > 0 || position.row > 0) log.info({ resumeEntry: position.entry, resumeRow: position.row }, 'resuming the import from its checkpoint');

  const storeChunk = async (rows: StreamingHistoryRow[], next: StreamingHistoryPosition, extraProblems: ImportProblem[] = []): Promise<'recorded' | 'cancelled' | 'moved_on'> => {
    const counts = emptyCounts();
    const problems = [...extraProblems];
    const plays: StreamingHistoryPlay[] = [];
    const listens: ValidListen[] = [];
    for (const row of rows) {
      counts.rowsRead++;
      const { parsed } = row;
      if ('play' in parsed) {
        plays.push(parsed.play);
        continue;
      }
      if ('listen' in parsed) {
        listens.push(parsed.listen);
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
      // A ListenBrainz export's listens are listens, as if a player had sent them (docs/listenbrainz.md).
      const fromListens = listens.length > 0 ? await storeListens(tx, userId, listens) : { received: 0, inserted: 0 };
      counts.stored = result.inserted + fromListens.inserted;
      counts.duplicates = inputs.length - result.inserted + (listens.length - fromListens.inserted);
      // After the plays: their tracks are then in the catalogue.
      await rememberStreamingHistoryNames(tx, userId, streamingHistoryNamesOfChunk(plays, tracks));
      const recorded = await recordChunk(tx, importId, position, next, counts, problems);
      // Cancelled meanwhile, or another run is ahead of us: this chunk's plays are not ours to keep (rolled back).
      if (recorded !== 'recorded') throw new ChunkRejected(recorded);
      return recorded;
    }).catch(async (error: unknown) => {
      if (error instanceof ChunkRejected) return error.outcome;
      // The account was deleted meanwhile (its plays can no longer refer to it): as good as cancelled.
      if (error instanceof ForeignKeyConstraintViolationException && !(await importExists(em, importId))) return 'cancelled';
      throw error;
    });
    if (outcome === 'recorded') {
      addCounts(total, counts);
      deps.metrics?.stored('import', counts.stored);
      deps.metrics?.importRowsRead({
        stored: counts.stored,
        duplicate: counts.duplicates,
        skipped_podcast: counts.skippedPodcast,
        skipped_local: counts.skippedLocal,
        malformed: counts.skippedMalformed,
      });
      position = next;
    }
    return outcome;
  };

  for (;;) {
    let rows: StreamingHistoryRow[] = [];
    try {
      // Rows come reduced to what is kept (the raw rows, private fields included, die in
      // readStreamingHistory), so a chunk holds small objects while it waits for Spotify and Postgres.
      for await (const batch of readStreamingHistory(filePath, limits, position)) {
        for (const row of batch) {
          if (rowsRead >= limits.maxRows) {
            const outcome = await storeChunk(rows, { entry: row.entry, row: row.row });
            if (outcome !== 'recorded') return stop(outcome);
            throw new StreamingHistoryRefusedError(
              `The streaming history has more than ${limits.maxRows} rows (IMPORT_MAX_ROWS), more than a real one holds: the plays of its first ${limits.maxRows} rows were stored, the rest was refused.`,
            );
          }
          rows.push(row);
          rowsRead++;
          if (rows.length >= deps.chunkRows) {
            const outcome = await storeChunk(rows, { entry: row.entry, row: row.row + 1 });
            rows = [];
            if (outcome !== 'recorded') return stop(outcome);
            // Between chunks, everything read is committed: the place to let other imports have the worker.
            if (Date.now() >= turnEndsAt && (await turn.othersWaiting())) return { status: 'yielded', counts: total };
          }
        }
      }
      // The last chunk (possibly empty: it still checks the import was not cancelled meanwhile).
      const last = rows.at(-1);
      const outcome = await storeChunk(rows, last ? { entry: last.entry, row: last.row + 1 } : position);
      if (outcome !== 'recorded') return stop(outcome);
      break;
    } catch (error) {
      if (error instanceof StreamingHistoryRefusedError) {
        // Nothing more can come of this file: it is deleted now (a retry reports the same reason).
        await deleteUpload(filePath);
        throw error;
      }
      if (!(error instanceof StreamingHistoryFileError)) throw error;
      // One unreadable file: what it yielded so far is kept, the problem recorded, and the next file read.
      const last = rows.at(-1);
      const failedEntry = last?.entry ?? position.entry;
      log.warn({ file: error.file }, error.message);
      const outcome = await storeChunk(rows, { entry: failedEntry + 1, row: 0 }, [{ file: error.file, row: last ? last.row + 1 : position.row, message: error.message }]);
      if (outcome !== 'recorded') return stop(outcome);
    }
  }

  // Recorded first: a crash in between leaves a file of no import, which the worker's sweep deletes.
  await finishImport(em, importId, 'completed');
  await deleteUpload(filePath);
  return { status: 'completed', counts: total };

  async function stop(outcome: 'cancelled' | 'moved_on'): Promise<ImportOutcome> {
    if (outcome === 'moved_on') return { status: 'moved_on' };
    await deleteUpload(filePath);
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
