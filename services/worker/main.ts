import { TokenCipher } from '../shared/crypto/token-cipher.js';
import { openOrm } from '../features/open-orm.js';
import { prepareExportDir, sweepExports } from '../features/exports/export-files.js';
import { prepareImportDir, sweepImportFiles } from '../features/streaming-history/import-files.js';
import { importQueue } from '../shared/jobs/job-registry.js';
import { openQueues } from '../shared/jobs/open-queues.js';
import { createRedisConnection } from '../shared/jobs/redis-connection.js';
import { createLogger } from '../shared/logging/logger.js';
import { createMetricsRegistry } from '../shared/metrics/metrics-registry.js';
import { startMetricsServer } from '../shared/metrics/metrics-server.js';
import { runService } from '../shared/runtime/run-service.js';
import { SpotifyApiClient } from '../features/spotify/spotify-api.client.js';
import { SpotifyOAuthClient } from '../features/spotify/spotify-oauth.client.js';
import { loadWorkerConfig } from './config.js';
import { exportHandler } from './export/export.handler.js';
import { importHandler } from './import/import.handler.js';
import { SharedSpotifyRateLimit } from './import/shared-rate-limit.js';
import { WorkerHealth } from './health/worker-health.js';
import { startWorkers } from './jobs/start-workers.js';
import { registerPipelineGauges } from './metrics/pipeline-gauges.js';
import { WorkerMetrics } from './metrics/worker-metrics.js';
import { pollHandler } from './poll/poll.handler.js';

const USAGE = `usage: playlog worker

The job workers of every queue of the job registry: polls of Spotify's recently played, token refresh,
imports of streaming histories, personal exports. Metrics and probes on WORKER_METRICS_PORT.
SIGTERM: stops taking jobs, lets active ones finish (WORKER_SHUTDOWN_GRACE_MS), then exits 0.
The V8 heap is bounded by WORKER_MAX_OLD_SPACE_MB (docs/operations.md).
Configuration: the environment (README.md, "Configuration"; docs/pipeline.md).`;

/**
 * `npm run start:worker`: long-running BullMQ workers, one per queue of the job registry (a Deployment,
 * scale by replicas). SIGTERM: stop taking jobs, let active ones finish within WORKER_SHUTDOWN_GRACE_MS,
 * close connections. A job cut off by the deadline (or by SIGKILL) is not lost: it is handed back, or its
 * lock expires, it becomes stalled and another worker runs it again, harmlessly, since every job is idempotent.
 */
runService('worker', async () => {
  const config = loadWorkerConfig();
  const logger = createLogger({ service: 'worker', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const runsImports = config.IMPORT_CONCURRENCY > 0;
  if (runsImports) await prepareImportDir(config.IMPORT_DIR, logger);
  const orm = await openOrm(config, logger);
  // What a crash left behind (an upload of no import, one that stopped arriving, a failed import too old
  // to be retried) is deleted before any import runs.
  if (runsImports) await sweepImportFiles(orm.em.fork(), config.IMPORT_DIR, { failedRetentionMs: importQueue.retention.failed.age * 1000, log: logger });
  // Expired exports (files and rows) and export files of no export go at start-up, then every EXPORT_SWEEP_MINUTES.
  const runsExports = config.EXPORT_CONCURRENCY > 0;
  if (runsExports) await prepareExportDir(config.EXPORT_DIR, logger);
  const sweepExportDir = () =>
    sweepExports(orm.em.fork(), config.EXPORT_DIR, { log: logger }).catch((error: unknown) => logger.warn({ err: error }, 'sweeping expired exports failed; the next sweep tries again'));
  if (runsExports) await sweepExportDir();
  const exportSweep = runsExports ? setInterval(() => void sweepExportDir(), config.EXPORT_SWEEP_MINUTES * 60_000) : undefined;
  exportSweep?.unref();
  const connection = createRedisConnection(config.REDIS_URL, 'worker');
  connection.on('error', (error) => logger.warn({ err: error }, `redis connection error: ${error.message}`));
  const queues = openQueues(connection, config.QUEUE_PREFIX);
  const registry = config.METRICS_ENABLED ? createMetricsRegistry() : null;
  const metrics = registry ? new WorkerMetrics(registry) : undefined;
  const tokenSettings = {
    refreshMarginMs: config.WORKER_TOKEN_REFRESH_MARGIN_SECONDS * 1000,
    lifetimeDays: config.SPOTIFY_REFRESH_TOKEN_LIFETIME_DAYS,
    warningDays: config.SPOTIFY_REAUTH_WARNING_DAYS,
  };
  if (registry) registerPipelineGauges(registry, { orm, redis: connection, queues, prefix: config.QUEUE_PREFIX, cacheMs: config.METRICS_CACHE_SECONDS * 1000, tokens: tokenSettings });
  const health = new WorkerHealth(
    { orm, redis: connection, logger },
    { maxBlockMs: config.WORKER_LIVENESS_MAX_BLOCK_SECONDS * 1000, maxRedisDownMs: config.WORKER_LIVENESS_REDIS_DOWN_SECONDS * 1000 },
  );
  health.start();
  const metricsServer = await startMetricsServer({
    host: config.METRICS_HOST,
    port: config.WORKER_METRICS_PORT,
    registry,
    logger,
    probes: { '/healthz': () => health.liveness(), '/readyz': () => health.readiness() },
  });
  const timeoutMs = config.SPOTIFY_HTTP_TIMEOUT_MS;
  // Polls and imports talk to Spotify with the same clients, key and token rules.
  const spotify = {
    cipher: new TokenCipher(config.TOKEN_ENCRYPTION_KEYS),
    api: new SpotifyApiClient({ apiUrl: config.SPOTIFY_API_URL, timeoutMs, observer: metrics }),
    oauth: new SpotifyOAuthClient({
      accountsUrl: config.SPOTIFY_ACCOUNTS_URL,
      clientId: config.SPOTIFY_CLIENT_ID,
      clientSecret: config.SPOTIFY_CLIENT_SECRET,
      redirectUri: config.SPOTIFY_REDIRECT_URI,
      timeoutMs,
      observer: metrics,
    }),
    tokens: tokenSettings,
    now: Date.now,
    metrics,
  };

  const workers = await startWorkers(
    {
      poll: { handler: pollHandler({ ...spotify, maxPages: config.WORKER_MAX_PAGES, lookbackMs: config.WORKER_POLL_LOOKBACK_HOURS * 3_600_000 }), concurrency: config.WORKER_CONCURRENCY, maxJobsPerSecond: config.WORKER_MAX_JOBS_PER_SECOND },
      import: !runsImports
          ? null
          : {
              handler: importHandler({
                ...spotify,
                // Below the poll limit, so polls always keep at least one start per second.
                rateLimit: new SharedSpotifyRateLimit(connection, queues.poll, {
                  lookupsPerSecond: Math.max(1, Math.min(config.IMPORT_TRACK_LOOKUPS_PER_SECOND, config.WORKER_MAX_JOBS_PER_SECOND - 1)),
                }),
                chunkRows: config.IMPORT_CHUNK_ROWS,
                limits: {
                  maxEntries: config.IMPORT_MAX_ARCHIVE_ENTRIES,
                  maxExpandedBytes: config.IMPORT_MAX_EXPANDED_BYTES,
                  maxRows: config.IMPORT_MAX_ROWS,
                  turnMs: config.IMPORT_TURN_SECONDS * 1000,
                },
              }),
              concurrency: config.IMPORT_CONCURRENCY,
            },
      export: runsExports ? { handler: exportHandler({ exportDir: config.EXPORT_DIR, batchRows: config.EXPORT_BATCH_ROWS, turnMs: config.EXPORT_TURN_SECONDS * 1000, maxUserBytes: config.EXPORT_MAX_USER_BYTES }), concurrency: config.EXPORT_CONCURRENCY } : null,
    },
    // The poll queue's limiter is the app's: a 429 pauses every Spotify call (polls and imports' look-ups).
    { orm, connection, logger, metrics, pauseSpotify: (ms) => queues.poll.rateLimit(ms) },
    {
      prefix: config.QUEUE_PREFIX,
      lockDurationMs: config.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: config.WORKER_MAX_STALLED_COUNT,
      backoffBaseMs: config.WORKER_BACKOFF_BASE_MS,
      backoffMaxMs: config.WORKER_BACKOFF_MAX_MS,
      quotaPauseMs: config.WORKER_QUOTA_PAUSE_SECONDS * 1000,
    },
  );
  logger.info(
    { queues: workers.workers.map(({ definition }) => definition.name), concurrency: config.WORKER_CONCURRENCY, queuePrefix: config.QUEUE_PREFIX, metrics: `${metricsServer.url}/metrics` },
    'worker ready',
  );

  return async () => {
    logger.info({ graceMs: config.WORKER_SHUTDOWN_GRACE_MS }, 'stopping: no new jobs; waiting for active ones');
    health.markStopping();
    clearInterval(exportSweep);
    const released = await workers.close(config.WORKER_SHUTDOWN_GRACE_MS);
    if (released > 0) logger.warn({ released }, `grace period over with jobs still active: ${released} put back in the queue; exiting`);
    await metricsServer.close();
    health.stop();
    await queues.close();
    connection.disconnect();
    await orm.close(true);
    logger.info('worker stopped');
  };
  // Jobs may already be running when a SIGTERM comes during start-up: they get the same graceful stop.
}, { signalWhileStarting: 'stop-once-started', usage: USAGE });
