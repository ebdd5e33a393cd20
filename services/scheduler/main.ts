import { openOrm } from '../features/open-orm.js';
import { deleteStaleSessions } from '../features/accounts/data/sessions.repository.js';
import { openQueues } from '../shared/jobs/open-queues.js';
import { recordSchedulerRun } from '../features/polling/scheduler-runs.js';
import { createRedisConnection, waitUntilReady } from '../shared/jobs/redis-connection.js';
import { createLogger } from '../shared/logging/logger.js';
import { repeatUntilStopped } from '../shared/runtime/repeat-until-stopped.js';
import { runService } from '../shared/runtime/run-service.js';
import { loadSchedulerConfig } from './config.js';
import { runScheduler } from './run-scheduler.js';

/**
 * `npm run start:scheduler`: one run (enqueue a poll per due user) and exit 0, as a Kubernetes CronJob
 * wants; a non-zero exit only when the run could not enqueue. With SCHEDULER_LOOP_SECONDS it runs on
 * that interval until SIGTERM, for docker-compose and the demo.
 */
/** Expired or revoked sessions are kept this long (for support questions), then deleted. */
const STALE_SESSION_DAYS = 7;

const USAGE = `usage: playlog scheduler

Enqueues one poll job for every user who is due, then exits 0 (a Kubernetes CronJob tick). With
SCHEDULER_LOOP_SECONDS it runs on that interval until SIGTERM instead (docker compose).
Configuration: the environment (docs/pipeline.md).`;

runService('scheduler', async () => {
  const config = loadSchedulerConfig();
  const logger = createLogger({ service: 'scheduler', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const redis = createRedisConnection(config.REDIS_URL, 'producer');
  redis.on('error', (error) => logger.debug({ err: error }, 'redis connection error'));
  const orm = await openOrm(config, logger);
  const queues = openQueues(redis, config.QUEUE_PREFIX);
  const queue = queues.poll;
  const settings = { intervalMs: config.POLL_INTERVAL_SECONDS * 1000, spreadMs: config.spreadSeconds * 1000, batchSize: config.SCHEDULER_BATCH_SIZE };
  const close = async () => {
    await queues.close();
    redis.disconnect();
    await orm.close(true);
  };

  // The run's summary for the workers' scheduler gauges; Redis being down is already this run's failure.
  const record = (run: Parameters<typeof recordSchedulerRun>[2]) =>
    recordSchedulerRun(redis, config.QUEUE_PREFIX, run).catch((error: unknown) => logger.warn({ err: error }, `could not record the run for the metrics: ${(error as Error).message}`));
  const intervalSeconds = config.SCHEDULER_LOOP_SECONDS ?? config.POLL_INTERVAL_SECONDS;
  const runOnce = async (): Promise<boolean> => {
    const startedAt = new Date();
    try {
      await waitUntilReady(redis, 5_000);
      const summary = await runScheduler({ orm, queue, redis }, settings, logger);
      await record({ ...summary, startedAt: startedAt.toISOString(), outcome: 'success', intervalSeconds });
    } catch (error) {
      logger.error({ err: error }, `scheduler run failed: ${(error as Error).message}`);
      await record({ startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), outcome: 'failure', scanned: 0, due: 0, enqueued: 0, skipped: 0, intervalSeconds });
      return false;
    }
    // Housekeeping rides along with the CronJob; failing it does not fail the run, which did its job.
    try {
      const purged = await deleteStaleSessions(orm.em.fork(), STALE_SESSION_DAYS);
      if (purged > 0) logger.info({ purged }, `deleted ${purged} expired or revoked sessions`);
      return true;
    } catch (error) {
      logger.warn({ err: error }, `session clean-up failed: ${(error as Error).message}`);
      return true;
    }
  };

  if (config.SCHEDULER_LOOP_SECONDS === undefined) {
    const ok = await runOnce();
    await close();
    process.exit(ok ? 0 : 1);
  }

  const loop = repeatUntilStopped(runOnce, config.SCHEDULER_LOOP_SECONDS * 1000);
  logger.info({ everySeconds: config.SCHEDULER_LOOP_SECONDS }, 'scheduler looping');
  return async () => {
    await loop.stop();
    await close();
    logger.info('scheduler stopped');
  };
}, { usage: USAGE });
