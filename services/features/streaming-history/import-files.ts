import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { abandonedImportFiles, discardUpload, forgetImportFile, importsHoldingFiles } from './data/imports.repository.js';
import type { Logger } from '../../shared/logging/logger.js';
import { preparePrivateDir } from '../../shared/runtime/private-dir.js';

/**
 * Uploaded streaming histories on disk. They hold the user's IP addresses and devices, so each is
 * deleted as soon as its import ends or cannot go on (docs/security.md, "Uploaded streaming
 * histories"), and what a crash left behind is swept away.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** Where an upload waits: named after its import, never after anything the client sent. */
export const uploadPath = (importDir: string, importId: string): string => join(importDir, `${importId}.upload`);

const UPLOAD_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.upload$/;

/** Deletes an upload; one already gone (or never written) is fine. */
export async function deleteUpload(filePath: string | null): Promise<void> {
  if (filePath) await rm(filePath, { force: true });
}

/** Creates IMPORT_DIR if needed; it must be Playlog's own, and is closed to others (0700). */
export function prepareImportDir(dir: string, log: Logger): Promise<void> {
  return preparePrivateDir(dir, { variable: 'IMPORT_DIR', holds: 'uploads hold personal data', logKey: 'importDir' }, log);
}

export interface SweepResult {
  /** Files of no import (a crash between writing and recording, or between recording and deleting). */
  orphans: number;
  /** Uploads that stopped arriving, and failed imports too old to be retried. */
  abandoned: number;
}

/**
 * Deletes what no import will read again: uploads whose API stopped while receiving them, failed
 * imports older than their job's stay in the dead-letter queue (`failedRetentionMs`), and files in
 * `dir` that belong to no import. Only files older than a day are touched, so an upload being written
 * right now (its row not yet committed) is never taken for an orphan.
 */
export async function sweepImportFiles(em: EntityManager, dir: string, options: { failedRetentionMs: number; now?: number; log: Logger }): Promise<SweepResult> {
  const now = options.now ?? Date.now();
  let abandoned = 0;
  for (const upload of await abandonedImportFiles(em, { receiving: new Date(now - DAY_MS), failed: new Date(now - options.failedRetentionMs) })) {
    await deleteUpload(upload.filePath);
    if (upload.status === 'receiving') await discardUpload(em, upload.id);
    else await forgetImportFile(em, upload.id);
    abandoned++;
  }
  // By import id, not by path: the API may spell IMPORT_DIR differently (relative, a trailing slash…).
  const inUse = await importsHoldingFiles(em);
  let orphans = 0;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!UPLOAD_NAME.test(name) || inUse.has(name.slice(0, -'.upload'.length))) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile() || now - info.mtimeMs < DAY_MS) continue;
    await deleteUpload(path);
    orphans++;
  }
  if (orphans + abandoned > 0) options.log.info({ orphans, abandoned }, `deleted ${orphans + abandoned} uploads no import will read again`);
  return { orphans, abandoned };
}
