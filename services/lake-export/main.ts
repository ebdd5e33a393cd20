import { LakeSource } from '../shared/db/repositories/lake.repository.js';
import { createLogger } from '../shared/logging/logger.js';
import { runService } from '../shared/runtime/run-service.js';
import { loadLakeExportConfig } from './config.js';
import { exportLake } from './export-lake.js';
import { openLakeTarget } from './open-target.js';

/**
 * `npm run lake:export` (the image's `playlog lake-export`, the chart's CronJob): one run that brings the
 * data lake (docs/lake.md) up to date with Postgres, then exits: 0 when the lake is up to date (or another
 * run holds the lock and will), 1 when the run failed. A run cut short (SIGTERM, a crash) leaves the lake
 * correct; the next run finishes the work.
 */
runService('lake-export', async () => {
  const config = loadLakeExportConfig();
  const logger = createLogger({ service: 'lake-export', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const source = await LakeSource.open(config.DATABASE_URL);
  let exitCode = 1;
  try {
    const target = await openLakeTarget(config);
    try {
      logger.info({ lake: target.description, userIds: config.LAKE_USER_IDS }, `exporting to ${target.description}`);
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
      exitCode = 0;
    } finally {
      target.close();
    }
  } catch (error) {
    logger.error({ err: error }, `lake export failed: ${(error as Error).message}; the lake is unchanged or partly updated and correct, and the next run finishes the work`);
  } finally {
    await source.close();
  }
  process.exit(exitCode);
});
