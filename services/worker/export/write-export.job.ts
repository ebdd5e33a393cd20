import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { exportPlays } from '../../shared/db/repositories/export-plays.repository.js';
import { completeExport, startExport } from '../../shared/db/repositories/exports.repository.js';
import { EXPORT_FORMAT_WRITERS, type ExportFormat } from '../../shared/exports/export-formats.js';
import { exportPath } from '../../shared/exports/export-files.js';
import type { ExportPlay } from '../../shared/db/repositories/export-plays.repository.js';
import type { Logger } from '../../shared/logging/logger.js';

export interface WriteExportDeps {
  exportDir: string;
  /** Plays read from Postgres per round trip. */
  batchRows: number;
}

export type ExportOutcome =
  | { status: 'completed'; rows: number; skipped: number; bytes: number }
  | { status: 'nothing_to_do'; reason: 'export_gone_or_completed' | 'account_deleted_meanwhile' };

interface Tally {
  rows: number;
  skipped: number;
}

/** The file's text, piece by piece, as plays arrive from Postgres: never the whole history in memory. */
async function* render(format: ExportFormat, plays: AsyncIterable<ExportPlay>, tally: Tally): AsyncGenerator<string> {
  yield format.begin();
  for await (const play of plays) {
    const line = format.row(play, tally.rows);
    if (line === null) {
      tally.skipped++;
      continue;
    }
    tally.rows++;
    yield line;
  }
  yield format.end();
}

/**
 * Writes one export: the user's plays, oldest first, streamed batch by batch into a file of this run's
 * own, renamed to the export's name once complete, then recorded with its counts. A run that dies or
 * runs twice leaves at most a temporary file (swept later) and one complete file, the same each time.
 */
export async function writeExport(deps: WriteExportDeps, em: EntityManager, exportId: string, log: Logger): Promise<ExportOutcome> {
  const record = await startExport(em, exportId);
  if (!record) return { status: 'nothing_to_do', reason: 'export_gone_or_completed' };
  const format = EXPORT_FORMAT_WRITERS[record.format];
  const finalPath = exportPath(deps.exportDir, record.id, format.extension);
  const partialPath = `${finalPath}.partial-${randomUUID()}`;
  const tally: Tally = { rows: 0, skipped: 0 };
  try {
    await pipeline(Readable.from(render(format, exportPlays(em, record.userId, deps.batchRows), tally)), createWriteStream(partialPath, { mode: 0o600, flags: 'wx' }));
    await rename(partialPath, finalPath);
  } catch (error) {
    await rm(partialPath, { force: true });
    throw error;
  }
  const { size: bytes } = await stat(finalPath);
  const recorded = await completeExport(em, record.id, { filePath: finalPath, rows: tally.rows, skipped: tally.skipped, bytes });
  if (!recorded) {
    // The account (and the row with it) went while the file was written: nothing may keep its history.
    await rm(finalPath, { force: true });
    return { status: 'nothing_to_do', reason: 'account_deleted_meanwhile' };
  }
  log.debug({ exportId, file: finalPath }, 'export file written');
  return { status: 'completed', rows: tally.rows, skipped: tally.skipped, bytes };
}
