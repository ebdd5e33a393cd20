import { randomUUID } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { chmod, copyFile, rename, rm, stat, truncate } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { EXPORT_START, exportPlaysBatch, type ExportPosition } from '../../features/exports/data/export-plays.repository.js';
import { completeExport, recordExportTurn, startExport, type ExportRecord } from '../../features/exports/data/exports.repository.js';
import { EXPORT_FORMAT_WRITERS } from '../../features/exports/export-formats.js';
import { deleteExportFile, deleteExportFiles, exportPath } from '../../features/exports/export-files.js';
import { ExportTooLargeError } from '../../features/exports/export-too-large.error.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { JobTurn } from '../jobs/queue-worker.js';

export interface WriteExportDeps {
  exportDir: string;
  /** Plays read from Postgres per round trip. */
  batchRows: number;
  /** After this long, between two batches, a run hands the worker to other waiting exports and continues after them. */
  turnMs: number;
  /** Bytes of completed exports one user keeps (EXPORT_MAX_USER_BYTES): older ones are replaced; one larger alone fails. */
  maxUserBytes: number;
}

export type ExportOutcome =
  | { status: 'completed'; rows: number; skipped: number; bytes: number; replaced: number }
  /** Its turn is over and other exports are waiting: it continues from its checkpoint after them. */
  | { status: 'yielded'; rows: number; bytes: number }
  /** Another run of this export recorded its progress first: this run's file is dropped. */
  | { status: 'moved_on' }
  | { status: 'nothing_to_do'; reason: 'export_gone_or_completed' | 'account_deleted_meanwhile' };

/** What the file holds so far: every play up to `position`, counted. */
interface Progress {
  position: ExportPosition;
  rows: number;
  skipped: number;
  bytes: number;
}

const FROM_THE_START: Progress = { position: EXPORT_START, rows: 0, skipped: 0, bytes: 0 };

/**
 * Writes one export: the user's plays, oldest first, streamed batch by batch into a file of this run's
 * own, renamed to the export's name once complete, then recorded with its counts. The user then keeps at
 * most `maxUserBytes` of completed exports: their oldest are replaced (docs/export.md, "Retention and limits").
 *
 * Past `turnMs`, between two batches, a run with other exports waiting records a checkpoint (the last play
 * written, its file, what that holds) and returns `yielded`; its next run copies that file, up to the
 * checkpoint, into a file of its own and continues after it. A run that dies or runs twice therefore leaves
 * at most files of its own (swept later) and one complete file, the same each time.
 */
export async function writeExport(deps: WriteExportDeps, em: EntityManager, exportId: string, log: Logger, turn: JobTurn): Promise<ExportOutcome> {
  const record = await startExport(em, exportId);
  if (!record) return { status: 'nothing_to_do', reason: 'export_gone_or_completed' };
  const { userId, partialPath: startedFrom } = record;
  const turnEndsAt = Date.now() + deps.turnMs;
  const format = EXPORT_FORMAT_WRITERS[record.format];
  const finalPath = exportPath(deps.exportDir, record.id, format.extension);
  const runPath = `${finalPath}.partial-${randomUUID()}`;
  const resumed = await resumeInto(runPath, record);
  if (resumed !== FROM_THE_START) log.info({ rows: resumed.rows, bytes: resumed.bytes }, 'resuming the export from its checkpoint');
  let progress = resumed;
  let finished = false;

  /** The file's text, a batch at a time, as plays arrive from Postgres: never the whole history in memory. */
  async function* render(): AsyncGenerator<string> {
    if (progress === FROM_THE_START) yield* text(format.begin());
    for (;;) {
      const batch = await exportPlaysBatch(em, userId, progress.position, deps.batchRows);
      // A fresh identity map per batch is not needed (raw rows), but the fork's memory must not grow.
      em.clear();
      let { rows, skipped } = progress;
      let chunk = '';
      for (const play of batch) {
        const line = format.row(play, rows);
        if (line === null) skipped++;
        else {
          rows++;
          chunk += line;
        }
      }
      const last = batch.at(-1);
      const position = last ? { playedAtText: last.playedAtText, trackId: last.trackId } : progress.position;
      finished = batch.length < deps.batchRows;
      if (finished) chunk += format.end();
      progress = { position, rows, skipped, bytes: progress.bytes };
      yield* text(chunk);
      if (finished) return;
      // Between batches, everything read is in the file: the place to let other exports have the worker.
      if (Date.now() >= turnEndsAt && (await turn.othersWaiting())) return;
    }
  }

  /** Counts what is written, and stops before the file passes what one user may keep. */
  function* text(chunk: string): Generator<string> {
    const bytes = progress.bytes + Buffer.byteLength(chunk);
    if (bytes > deps.maxUserBytes) throw new ExportTooLargeError(deps.maxUserBytes);
    progress = { ...progress, bytes };
    yield chunk;
  }

  try {
    await pipeline(Readable.from(render()), createWriteStream(runPath, { mode: 0o600, flags: resumed === FROM_THE_START ? 'wx' : 'a' }));
  } catch (error) {
    await rm(runPath, { force: true });
    throw error;
  }

  if (!finished) return yieldTurn();
  await rename(runPath, finalPath);
  const { size: bytes } = await stat(finalPath);
  const completion = await completeExport(em, record.id, { filePath: finalPath, rows: progress.rows, skipped: progress.skipped, bytes }, { maxUserBytes: deps.maxUserBytes });
  if (completion.status === 'gone') {
    // The account (and the row with it) went while the file was written: nothing may keep its history.
    await rm(finalPath, { force: true });
    await deleteExportFile(startedFrom);
    return { status: 'nothing_to_do', reason: 'account_deleted_meanwhile' };
  }
  // Another run completed it first: the file it recorded is the one just renamed over, the same bytes.
  if (completion.status === 'not_running') return { status: 'nothing_to_do', reason: 'export_gone_or_completed' };
  await deleteExportFile(completion.partialPath);
  for (const files of completion.replaced) await deleteExportFiles(files);
  if (completion.replaced.length > 0) log.info({ replaced: completion.replaced.map(({ id }) => id) }, `replaced ${completion.replaced.length} older exports of the user to stay within EXPORT_MAX_USER_BYTES`);
  log.debug({ exportId, file: finalPath }, 'export file written');
  return { status: 'completed', rows: progress.rows, skipped: progress.skipped, bytes, replaced: completion.replaced.length };

  async function yieldTurn(): Promise<ExportOutcome> {
    const recorded = await recordExportTurn(em, exportId, startedFrom, { resume: progress.position, partialPath: runPath, rows: progress.rows, skipped: progress.skipped, bytes: progress.bytes });
    if (!recorded) {
      await rm(runPath, { force: true });
      return { status: 'moved_on' };
    }
    // The checkpoint now names this run's file: the one it was copied from holds nothing more.
    await deleteExportFile(startedFrom);
    return { status: 'yielded', rows: progress.rows, bytes: progress.bytes };
  }
}

/**
 * Starts this run's file from the export's checkpoint: a copy of the file its last turn wrote, cut to the
 * bytes recorded with it (a run that died after its checkpoint may have written more). Without a
 * checkpoint, or when its file is gone or shorter, the export starts over.
 */
async function resumeInto(runPath: string, record: ExportRecord): Promise<Progress> {
  if (!record.resume || !record.partialPath) return FROM_THE_START;
  try {
    await copyFile(record.partialPath, runPath, constants.COPYFILE_EXCL);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return FROM_THE_START;
    throw error;
  }
  await chmod(runPath, 0o600);
  if ((await stat(runPath)).size < record.bytes) {
    await rm(runPath, { force: true });
    return FROM_THE_START;
  }
  await truncate(runPath, record.bytes);
  return { position: record.resume, rows: record.rows, skipped: record.skipped, bytes: record.bytes };
}
