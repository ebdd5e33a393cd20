import { TokenCipher } from '../shared/crypto/token-cipher.js';
import { openOrm } from '../shared/db/open-orm.js';
import { createLogger } from '../shared/logging/logger.js';
import { createPollQueue } from '../shared/queue/poll-queue.js';
import { createRedisConnection } from '../shared/queue/redis-connection.js';
import { runService } from '../shared/runtime/run-service.js';
import { SpotifyApiClient } from '../shared/spotify/spotify-api.client.js';
import { SpotifyOAuthClient } from '../shared/spotify/spotify-oauth.client.js';
import { loadWorkerConfig } from './config.js';
import { createPollWorker } from './create-worker.js';
import { createImportWorker } from './import/create-import-worker.js';
import { SharedSpotifyRateLimit } from './import/shared-rate-limit.js';

/**
 * `npm run start:worker`: a long-running BullMQ worker of poll jobs (a Deployment, scale by replicas).
 * SIGTERM: stop taking jobs, let active ones finish within WORKER_SHUTDOWN_GRACE_MS, close connections.
 * A job cut off by the deadline (or by SIGKILL) is not lost: its lock expires, it becomes stalled and
 * another worker runs it again, harmlessly, since every poll is idempotent.
 */
runService('worker', async () => {
  const config = loadWorkerConfig();
  const logger = createLogger({ service: 'worker', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const orm = await openOrm(config);
  const connection = createRedisConnection(config.REDIS_URL, 'worker');
  connection.on('error', (error) => logger.warn({ err: error }, `redis connection error: ${error.message}`));
  const queue = createPollQueue(connection, config.QUEUE_PREFIX);
  const timeoutMs = config.SPOTIFY_HTTP_TIMEOUT_MS;
  // Polls and imports talk to Spotify with the same clients, key and token rules.
  const spotify = {
    cipher: new TokenCipher(config.TOKEN_ENCRYPTION_KEYS),
    api: new SpotifyApiClient({ apiUrl: config.SPOTIFY_API_URL, timeoutMs }),
    oauth: new SpotifyOAuthClient({
      accountsUrl: config.SPOTIFY_ACCOUNTS_URL,
      clientId: config.SPOTIFY_CLIENT_ID,
      clientSecret: config.SPOTIFY_CLIENT_SECRET,
      redirectUri: config.SPOTIFY_REDIRECT_URI,
      timeoutMs,
    }),
    tokens: {
      refreshMarginMs: config.WORKER_TOKEN_REFRESH_MARGIN_SECONDS * 1000,
      lifetimeDays: config.SPOTIFY_REFRESH_TOKEN_LIFETIME_DAYS,
      warningDays: config.SPOTIFY_REAUTH_WARNING_DAYS,
    },
  };

  const { worker, releaseActiveJobs } = createPollWorker(
    {
      orm,
      connection,
      queue,
      logger,
      deps: {
        ...spotify,
        maxPages: config.WORKER_MAX_PAGES,
        now: Date.now,
      },
    },
    {
      prefix: config.QUEUE_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      maxJobsPerSecond: config.WORKER_MAX_JOBS_PER_SECOND,
      lockDurationMs: config.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: config.WORKER_MAX_STALLED_COUNT,
      backoffBaseMs: config.WORKER_BACKOFF_BASE_MS,
      backoffMaxMs: config.WORKER_BACKOFF_MAX_MS,
      quotaPauseMs: config.WORKER_QUOTA_PAUSE_SECONDS * 1000,
    },
  );
  void worker.run().catch((error: unknown) => logger.error({ err: error }, 'worker stopped unexpectedly'));
  await worker.waitUntilReady();

  // Streaming-history imports (docs/import.md): a second worker on the import queue, same process.
  const importWorker =
    config.IMPORT_CONCURRENCY > 0
      ? createImportWorker(
          {
            orm,
            connection,
            logger,
            deps: {
              ...spotify,
              // Below the poll limit, so polls always keep at least one start per second.
              rateLimit: new SharedSpotifyRateLimit(connection, queue, {
                lookupsPerSecond: Math.max(1, Math.min(config.IMPORT_TRACK_LOOKUPS_PER_SECOND, config.WORKER_MAX_JOBS_PER_SECOND - 1)),
              }),
              chunkRows: config.IMPORT_CHUNK_ROWS,
              now: Date.now,
            },
          },
          {
            prefix: config.QUEUE_PREFIX,
            concurrency: config.IMPORT_CONCURRENCY,
            lockDurationMs: config.WORKER_LOCK_DURATION_MS,
            stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
            maxStalledCount: config.WORKER_MAX_STALLED_COUNT,
            backoffBaseMs: config.WORKER_BACKOFF_BASE_MS,
            backoffMaxMs: config.WORKER_BACKOFF_MAX_MS,
          },
        )
      : null;
  if (importWorker) {
    void importWorker.run().catch((error: unknown) => logger.error({ err: error }, 'import worker stopped unexpectedly'));
    await importWorker.waitUntilReady();
  }
  logger.info({ concurrency: config.WORKER_CONCURRENCY, queuePrefix: config.QUEUE_PREFIX }, 'worker ready');

  return async () => {
    logger.info({ graceMs: config.WORKER_SHUTDOWN_GRACE_MS }, 'stopping: no new jobs; waiting for active ones');
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), config.WORKER_SHUTDOWN_GRACE_MS);
    });
    // An import still running past the grace is simply left: its lock expires and it resumes from its checkpoint.
    const closing = Promise.all([worker.close(), importWorker?.close()]);
    const closed = await Promise.race([closing.then(() => 'closed' as const), graceOver]);
    clearTimeout(timer);
    if (closed === 'timeout') {
      // Handed back to the queue for another worker; should that fail, their locks expire and they run again as stalled jobs.
      const released = await releaseActiveJobs();
      logger.warn({ released }, `grace period over with jobs still active: ${released} put back in the queue; exiting`);
    }
    await queue.close().catch(() => undefined);
    connection.disconnect();
    await orm.close(true);
    logger.info('worker stopped');
  };
});
