import { readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { deleteExports, expiredExports, exportFilesHeld, type ExportFiles } from './data/exports.repository.js';
import type { Logger } from '../../shared/logging/logger.js';
import { preparePrivateDir } from '../../shared/runtime/private-dir.js';

/**
 * Personal exports on disk (docs/export.md): a user's whole history, so EXPORT_DIR is Playlog's own
 * (0700), each file is named after its export alone, and it goes with its row once expired.
 */

const HOUR_MS = 60 * 60 * 1000;

/** The finished file of an export: named after its id, never after anything a client sent. */
export const exportPath = (exportDir: string, exportId: string, extension: string): string => join(exportDir, `${exportId}.${extension}`);

const EXPORT_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[a-z]+(\.partial-[0-9a-f-]+)?$/;

/** Creates EXPORT_DIR if needed; it must be Playlog's own, and is closed to others (0700). */
export function prepareExportDir(dir: string, log: Logger): Promise<void> {
  return preparePrivateDir(dir, { variable: 'EXPORT_DIR', holds: 'exports hold whole listening histories', logKey: 'exportDir' }, log);
}

/** Deletes an export's file; one already gone (or never written) is fine. */
export async function deleteExportFile(filePath: string | null): Promise<void> {
  if (filePath) await rm(filePath, { force: true });
}

/** Deletes every file of an export: the finished one and what its turns wrote so far. */
export async function deleteExportFiles(files: Pick<ExportFiles, 'filePath' | 'partialPath'>): Promise<void> {
  await deleteExportFile(files.filePath);
  await deleteExportFile(files.partialPath);
}

export interface ExportSweepResult {
  expired: number;
  orphans: number;
}

/**
 * Deletes expired exports (files, then row) and files in `dir` that belong to no export (a crash between
 * writing and recording, a run's temporary file, the file of an export replaced meanwhile); only files
 * older than an hour are taken for orphans, so a file being written right now is left alone. The file an
 * export's turns wrote so far stays while its row names it, however long it waits for its next turn.
 */
export async function sweepExports(em: EntityManager, dir: string, options: { now?: number; log: Logger }): Promise<ExportSweepResult> {
  const now = options.now ?? Date.now();
  let expired = 0;
  for (;;) {
    const batch = await expiredExports(em, new Date(now), 500);
    if (batch.length === 0) break;
    for (const item of batch) await deleteExportFiles(item);
    expired += await deleteExports(
      em,
      batch.map((item) => item.id),
    );
    if (batch.length < 500) break;
  }
  const held = new Set((await exportFilesHeld(em)).map((path) => basename(path)));
  let orphans = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!EXPORT_FILE.test(name) || held.has(name)) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile() || now - info.mtimeMs < HOUR_MS) continue;
    await deleteExportFile(path);
    orphans++;
  }
  if (expired + orphans > 0) options.log.info({ expired, orphans }, `deleted ${expired} expired exports and ${orphans} export files of no export`);
  return { expired, orphans };
}
