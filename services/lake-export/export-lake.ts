import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { LakeParquetWriter, type StagedDay } from '../features/lake/data/lake-parquet.js';
import type { LakeCatalogueTable, LakeSource } from '../features/lake/data/lake.repository.js';
import type { Logger } from '../shared/logging/logger.js';
import { catalogueKey, MANIFEST_KEY, playsDayKey } from './lake-layout.js';
import { LAKE_PRIVACY_RULES, parseLakeManifest, type LakeFileEntry, type LakeManifest } from './lake-manifest.js';
import { dayFile, splitPlaysByDay } from './plays-by-day.js';
import type { LakeTarget } from './targets/lake-target.js';
import { userIdsFingerprint, userKeys, type UserIdMode } from './user-pseudonyms.js';

/** Each run stages its files in a directory of LAKE_WORK_DIR named so. */
const STAGE_PREFIX = 'playlog-lake-export-stage-';
/** Objects sent to the target at once: S3 answers each PUT in a round trip, so a few in flight hide its latency. */
const UPLOADS_IN_FLIGHT = 8;

export interface LakeExportSettings {
  userIds: UserIdMode;
  workDir: string;
  memoryLimitMb: number;
}

export type LakeExportResult =
  | { outcome: 'locked' }
  | { outcome: 'unchanged' }
  | { outcome: 'written'; full: boolean; daysWritten: number; daysRemoved: number; tablesWritten: string[]; playRowsWritten: number; durationMs: number };

/**
 * One run of `lake:export` (docs/lake.md): brings the lake up to date with Postgres, rewriting exactly the
 * UTC days and catalogue tables that changed since the last run (everything, into an empty lake or when
 * user ids are now written differently). Order, so that a crash anywhere leaves a correct lake: read one
 * snapshot, stage every file locally, replace each object whole, write the manifest, and only then forget
 * the changes; a rerun after a crash writes the same files again.
 */
export async function exportLake(source: LakeSource, target: LakeTarget, settings: LakeExportSettings, log: Logger): Promise<LakeExportResult> {
  const startedAt = Date.now();
  if (!(await source.tryLock())) return { outcome: 'locked' };
  await removeStaleStages(settings.workDir, log);

  const previousText = await target.getText(MANIFEST_KEY);
  const { manifest: previous, problem } = parseLakeManifest(previousText);
  if (problem) log.warn(`the lake's ${MANIFEST_KEY} is unreadable (${problem}): rewriting the whole lake`);
  const fingerprint = userIdsFingerprint(settings.userIds);
  const full = previous === null || previous.userIds !== fingerprint || previous.privacyRules !== LAKE_PRIVACY_RULES;
  if (previous && previous.userIds !== fingerprint) log.info('user ids are written differently since the last lake run (LAKE_USER_IDS or its key changed): rewriting the whole lake');
  else if (previous && previous.privacyRules !== LAKE_PRIVACY_RULES) log.info('the lake was written under older privacy rules (what of a play may leave): rewriting the whole lake');
  if (!full && !(await source.hasPendingChanges())) return { outcome: 'unchanged' };

  // Private to this process (mkdtemp makes it 0700): it holds plays until the run ends.
  const stage = await mkdtemp(join(settings.workDir, STAGE_PREFIX)).catch((error: unknown) => {
    throw new Error(`LAKE_WORK_DIR (${settings.workDir}) is not a directory this process can write to: ${(error as Error).message}`);
  });
  let writer: LakeParquetWriter | undefined;
  try {
    const catalogueFile = (table: LakeCatalogueTable) => join(stage, `${table}.csv`);
    const playsDir = join(stage, 'csv');
    await mkdir(playsDir, { mode: 0o700 });
    const read = await source.read({
      everything: full,
      catalogueFile,
      writePlays: (csv, expect) => pipeline(csv, splitPlaysByDay(playsDir, expect.days, userKeys(expect.userIds, settings.userIds))),
    });
    if (!full && read.days.length === 0 && read.tables.length === 0) return { outcome: 'unchanged' };
    log.info({ full, days: read.days.length, tables: read.tables.map((table) => table.key), plays: read.playRows }, `read ${read.playRows} plays of ${read.days.length} days from Postgres`);

    writer = await LakeParquetWriter.open({ memoryLimitMb: settings.memoryLimitMb, spillDir: join(stage, 'spill') });
    const staged = read.playRows === 0 ? [] : await writer.writePlays((day) => dayFile(playsDir, day), join(stage, 'plays'), read.dayPlays);
    const tables: Array<{ table: string; path: string; rows: number }> = [];
    for (const { key } of read.tables) {
      const path = join(stage, `${key}.parquet`);
      tables.push({ table: key, path, rows: await writer.writeCatalogue(key, catalogueFile(key), path) });
    }
    writer.close();
    writer = undefined;

    const writtenAt = new Date().toISOString();
    const days: Record<string, LakeFileEntry> = full ? {} : { ...previous!.plays.days };
    await inParallel(staged, async (day: StagedDay) => {
      days[day.day] = { rows: day.rows, bytes: await target.putFile(playsDayKey(day.day), day.path), writtenAt };
    });
    // A changed day with no play left (an account deleted), or, rewriting everything, a day the lake has
    // and the database no longer does: its partition goes.
    const stagedDays = new Set(staged.map((day) => day.day));
    const removed = [...new Set([...read.days.map((day) => day.key), ...(full && previous ? Object.keys(previous.plays.days) : [])])].filter((day) => !stagedDays.has(day));
    await inParallel(removed, async (day) => {
      await target.delete(playsDayKey(day));
      delete days[day];
    });
    const tableEntries: Record<string, LakeFileEntry> = full ? {} : { ...previous!.tables };
    for (const table of tables) tableEntries[table.table] = { rows: table.rows, bytes: await target.putFile(catalogueKey(table.table), table.path), writtenAt };

    const result = {
      outcome: 'written' as const,
      full,
      daysWritten: staged.length,
      daysRemoved: removed.length,
      tablesWritten: tables.map((table) => table.table),
      playRowsWritten: read.playRows,
      durationMs: Date.now() - startedAt,
    };
    const manifest: LakeManifest = {
      format: 1,
      writtenAt: new Date().toISOString(),
      dataAsOf: read.asOf.toISOString(),
      postgresSnapshot: read.snapshot,
      userIds: fingerprint,
      privacyRules: LAKE_PRIVACY_RULES,
      plays: { rows: Object.values(days).reduce((sum, day) => sum + day.rows, 0), days: sortedByKey(days) },
      tables: sortedByKey(tableEntries),
      lastRun: { full, daysWritten: result.daysWritten, daysRemoved: result.daysRemoved, tablesWritten: result.tablesWritten, playRowsWritten: result.playRowsWritten, durationMs: result.durationMs },
    };
    await target.putText(MANIFEST_KEY, `${JSON.stringify(manifest, null, 2)}\n`, 'application/json');
    await source.consume(read);
    return result;
  } finally {
    writer?.close();
    await rm(stage, { recursive: true, force: true });
  }
}

/** A stage older than this was left by a run that crashed (runs hold the lock, and finish well within it). */
const STALE_STAGE_MS = 6 * 3600_000;

/** Deletes what crashed runs left in the work directory: plays, which must not outlive their run. */
async function removeStaleStages(workDir: string, log: Logger): Promise<void> {
  const entries = await readdir(workDir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || !entry.name.startsWith(STAGE_PREFIX)) continue;
    const path = join(workDir, entry.name);
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs < STALE_STAGE_MS) continue;
    await rm(path, { recursive: true, force: true });
    log.info({ path }, 'removed the files a crashed run left behind');
  }
}

async function inParallel<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(UPLOADS_IN_FLIGHT, items.length) }, lane));
}

function sortedByKey<V>(record: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
