import { LakeSource } from '../features/lake/data/lake.repository.js';
import { createLogger, type Logger } from '../shared/logging/logger.js';
import { repeatUntilStopped } from '../shared/runtime/repeat-until-stopped.js';
import { runService } from '../shared/runtime/run-service.js';
import { loadLakeExportConfig, type LakeExportConfig } from './config.js';
import { exportLake } from './export-lake.js';
import { openLakeTarget } from './open-target.js';

const USAGE = `usage: playlog lake-export

Brings the data lake (Parquet by UTC day at LAKE_URL) up to date with Postgres, then exits: 0 when the lake
is up to date, 1 when the run failed (the next run finishes the work). With LAKE_EXPORT_LOOP_SECONDS it runs
on that interval until SIGTERM instead. LAKE_PSEUDONYM_KEY is required unless LAKE_USER_IDS=plain.
Configuration: the environment (docs/lake.md).`;

/**
 * `npm run lake:export` (the image's `playlog lake-export`, the chart's CronJob): one run that brings the
 * data lake (docs/lake.md) up to date with Postgres, then exits: 0 when the lake is up to date (or another
 * run holds the lock and will), 1 when the run failed. With LAKE_EXPORT_LOOP_SECONDS it runs on that
 * interval until SIGTERM instead (docker compose). A run cut short (SIGTERM, a crash) leaves the lake
 * correct; the next run finishes the work.
 */
runService('lake-export', async () => {
  const config = loadLakeExportConfig();
  const logger = createLogger({ service: 'lake-export', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  if (config.LAKE_EXPORT_LOOP_SECONDS === undefined) process.exit((await runOnce(config, logger)) ? 0 : 1);

  const loop = repeatUntilStopped(() => runOnce(config, logger), config.LAKE_EXPORT_LOOP_SECONDS * 1000);
  logger.info({ everySeconds: config.LAKE_EXPORT_LOOP_SECONDS }, 'lake export looping');
  return async () => {
    await loop.stop();
    logger.info('lake export stopped');
  };
}, { usage: USAGE });

/** One run; false when it failed (logged). */
async function runOnce(config: LakeExportConfig, logger: Logger): Promise<boolean> {
  let source: LakeSource | undefined;
  try {
    source = await LakeSource.open(config.DATABASE_URL);
    const target = await openLakeTarget(config);
    try {
      logger.info({ lake: target.description, userIds: config.LAKE_USER_IDS }, `writing the lake to ${target.description}`);
      const result = await exportLake(
        source,
        target,
        {
          userIds: config.LAKE_USER_IDS === 'plain' ? { mode: 'plain' } : { mode: 'pseudonymous', key: config.LAKE_PSEUDONYM_KEY! },
          workDir: config.LAKE_WORK_DIR,
          memoryLimitMb: config.LAKE_MEMORY_LIMIT_MB,
        },
        logger,
      );
      if (result.outcome === 'locked') logger.info('another lake export is running: nothing to do');
      else if (result.outcome === 'unchanged') logger.info('the lake is up to date: nothing written');
      else
        logger.info(
          result,
          `lake updated: ${result.daysWritten} days written, ${result.daysRemoved} removed, ${result.playRowsWritten} plays${result.tablesWritten.length ? `, tables ${result.tablesWritten.join(', ')}` : ''}${result.full ? ' (full export)' : ''}`,
        );
      return true;
    } finally {
      target.close();
    }
  } catch (error) {
    logger.error({ err: error }, `lake export failed: ${(error as Error).message}; the lake is unchanged or partly updated and correct, and the next run finishes the work`);
    return false;
  } finally {
    await source?.close();
  }
}
