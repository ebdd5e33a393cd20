import { z } from 'zod';
import { DEFAULT_POLL_LOOKBACK_MS } from './poll/poll-user.job.js';
import { databaseEnv, envHelpers, exportStorageEnv, importStorageEnv, metricsEnv, redisEnv, runtimeEnv, spotifyEnv, spotifyGrantEnv, tokenCryptoEnv } from '../shared/config/env-schema.js';
import { defineEnv, environment, loadConfig } from '../shared/config/load-config.js';
import { MEMORY_BUDGETS, MIN_HEAP_MIB } from '../shared/runtime/memory-budgets.js';

const ms = (min: number) => z.coerce.number().int().min(min);

export const workerEnv = defineEnv({
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(10).describe('Poll jobs one worker process runs at once.'),
  WORKER_MAX_JOBS_PER_SECOND: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('Poll jobs started per second across all workers (BullMQ limiter); a 429 from Spotify pauses them all for its Retry-After.'),
  WORKER_MAX_OLD_SPACE_MB: envHelpers.heapMiB(MEMORY_BUDGETS.worker).describe(
    `V8 old-space limit of the worker process in MiB, which \`npm run start:worker\` and the image’s \`playlog worker\` give node as --max-old-space-size (at least ${MIN_HEAP_MIB}). 0: Node sizes the heap from the machine’s or container’s memory, and on a large host an import then grows the worker by about 90 MiB instead of 30 (docs/import.md).`,
  ),
  WORKER_SHUTDOWN_GRACE_MS: ms(0)
    .default(25_000)
    .describe('On SIGTERM, how long active jobs get to finish; past it they are handed back to the queue for another worker and the process exits. Keep it below the pod’s terminationGracePeriodSeconds.'),
  WORKER_LOCK_DURATION_MS: ms(1_000).default(30_000).describe('A job’s lock lasts this long and is renewed while it runs; a worker that dies loses its jobs to others once the lock expires.'),
  WORKER_STALLED_INTERVAL_MS: ms(500).default(30_000).describe('How often workers look for jobs whose worker died (stalled) and put them back in the queue.'),
  WORKER_MAX_STALLED_COUNT: z.coerce.number().int().min(0).default(2).describe('How many times a job may stall (its worker died) before it fails.'),
  WORKER_BACKOFF_BASE_MS: ms(1).default(2_000).describe('First retry delay of a failed poll; doubles per attempt, with full jitter.'),
  WORKER_BACKOFF_MAX_MS: ms(1).default(5 * 60_000).describe('Longest retry delay of a failed poll.'),
  WORKER_QUOTA_PAUSE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(3_600)
    .describe('When Spotify says the app’s quota is exhausted (429 QUOTA_EXCEEDED), all polling pauses this long (or until its Retry-After, if sooner).'),
  WORKER_TOKEN_REFRESH_MARGIN_SECONDS: z.coerce.number().int().min(0).default(120).describe('Access tokens expiring within this many seconds are refreshed before use.'),
  WORKER_MAX_PAGES: z.coerce.number().int().min(1).default(10).describe('Most recently-played pages read in one poll (50 plays each; Spotify keeps 50).'),
  WORKER_POLL_LOOKBACK_HOURS: z.coerce
    .number()
    .min(0)
    .max(24 * 14)
    .default(DEFAULT_POLL_LOOKBACK_MS / 3_600_000)
    .describe(
      'Each poll reads recently-played from this long before the newest play already stored: plays made offline reach Spotify hours late with their old played_at, and would otherwise be missed. Plays read again are recognised and not stored twice.',
    ),
});

/** The worker's metrics and probes (docs/operations.md). */
export const workerHealthEnv = defineEnv({
  ...metricsEnv,
  METRICS_ENABLED: envHelpers.bool
    .default(true)
    .describe('false: the worker counts nothing and its /metrics answers 404 (its /healthz and /readyz stay); the poll-cycle-metrics benchmark compares both.'),
  WORKER_METRICS_PORT: envHelpers.port
    .default(9465)
    .describe('Port of the worker’s /metrics (Prometheus), /healthz (liveness) and /readyz (readiness); 0 picks a free one.'),
  METRICS_CACHE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(15)
    .describe('How long the worker reuses the user gauges it reads from Postgres (users by status, polling lag), so that frequent scrapes do not repeat the reads.'),
  WORKER_LIVENESS_MAX_BLOCK_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(30)
    .describe('Liveness (/healthz) fails when the worker’s event loop was blocked longer than this (its job locks could not be renewed).'),
  WORKER_LIVENESS_REDIS_DOWN_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(60)
    .describe('Liveness (/healthz) fails when the worker’s Redis connection has been down longer than this (shorter outages it rides out, reconnecting).'),
});

/** The worker's import settings (docs/import.md). */
export const importWorkerEnv = defineEnv({
  ...importStorageEnv,
  IMPORT_CONCURRENCY: z.coerce.number().int().min(0).max(16).default(1).describe('Streaming-history imports one worker process runs at once (0: this worker runs none).'),
  IMPORT_TRACK_LOOKUPS_PER_SECOND: z.coerce
    .number()
    .int()
    .min(1)
    .default(5)
    .describe('Most Spotify track look-ups imports make per second, taken from the poll limiter (WORKER_MAX_JOBS_PER_SECOND), so polls always keep the rest; must be below it.'),
  IMPORT_CHUNK_ROWS: z.coerce.number().int().min(1).max(50_000).default(1_000).describe('Streaming-history rows stored per transaction (with the import’s checkpoint); a crash redoes at most one chunk.'),
  IMPORT_MAX_ARCHIVE_ENTRIES: z.coerce
    .number()
    .int()
    .min(1)
    .default(1_000)
    .describe('Most files an uploaded zip may hold (Spotify’s streaming histories hold a few dozen); a zip with more is refused before it is read.'),
  IMPORT_MAX_EXPANDED_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(1024 * 1024 * 1024)
    .describe('Most bytes the listening-history files of one upload may expand to (a JSON upload: its size); a bigger one is refused before it is read.'),
  IMPORT_MAX_ROWS: z.coerce
    .number()
    .int()
    .min(1)
    // GraphQL's Int (32-bit) reports the counts.
    .max(2_147_483_647)
    .default(2_000_000)
    .describe('Most rows one import reads (decades of heavy listening fit); past it the import fails, keeping the plays of the rows before.'),
  IMPORT_TURN_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(60)
    .describe('How long an import runs before it lets other waiting imports have the worker; it continues from its checkpoint after them.'),
});

/** The worker's export settings (docs/export.md). */
export const exportWorkerEnv = defineEnv({
  ...exportStorageEnv,
  EXPORT_CONCURRENCY: z.coerce.number().int().min(0).max(16).default(1).describe('Personal exports one worker process writes at once (0: this worker writes none).'),
  EXPORT_BATCH_ROWS: z.coerce.number().int().min(1).max(50_000).default(2_000).describe('Plays an export reads from Postgres per round trip (what it holds in memory at once).'),
  EXPORT_SWEEP_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(60).describe('How often the worker deletes expired exports (their files and rows) and export files of no export.'),
  EXPORT_TURN_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('How long an export is written before it lets other waiting exports have the worker; it continues from its checkpoint after them.'),
  EXPORT_MAX_USER_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(1024 * 1024 * 1024)
    .describe('Most bytes of completed exports one user keeps on disk: a new one replaces their oldest (file and row) until it fits; one larger on its own fails.'),
});

export const workerConfigShape = { ...runtimeEnv, ...databaseEnv, ...redisEnv, ...tokenCryptoEnv, ...spotifyEnv, ...spotifyGrantEnv, ...workerEnv, ...workerHealthEnv, ...importWorkerEnv, ...exportWorkerEnv };

export function loadWorkerConfig(env: NodeJS.ProcessEnv = environment()) {
  return loadConfig(workerConfigShape, env);
}
export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;
