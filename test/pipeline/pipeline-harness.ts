import type { MikroORM } from '@mikro-orm/postgresql';
import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { TokenCipher, parseEncryptionKeys } from '../../services/shared/crypto/token-cipher.js';
import { loadCredentials, saveCredentials, type StoredCredentials } from '../../services/features/accounts/data/credentials.repository.js';
import { pollQueue, type PollJobData } from '../../services/shared/jobs/job-registry.js';
import { openQueues, type Queues } from '../../services/shared/jobs/open-queues.js';
import { createRedisConnection, waitUntilReady } from '../../services/shared/jobs/redis-connection.js';
import { createLogger, type Logger } from '../../services/shared/logging/logger.js';
import { runScheduler, type SchedulerRunSettings, type SchedulerRunSummary } from '../../services/scheduler/run-scheduler.js';
import { createQueueWorker, type QueueWorkerSettings } from '../../services/worker/jobs/queue-worker.js';
import { pollHandler } from '../../services/worker/poll/poll.handler.js';
import type { PollOutcome, PollUserDeps } from '../../services/worker/poll/poll-user.job.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { loginSyntheticUser, spotifyClientsFor, spotifyEnvFor, startTestEmulator, type EmulatorOptions, type RunningEmulator } from '../support/emulator.js';
import { TEST_REDIS_URL, newEncryptionKeys, uniqueQueuePrefix } from '../support/test-env.js';

/** Worker settings that make retries, stalls and backoff fast enough for tests. */
export const FAST_WORKER_SETTINGS: Omit<QueueWorkerSettings, 'prefix'> = {
  concurrency: 10,
  maxJobsPerSecond: 1_000,
  lockDurationMs: 5_000,
  stalledIntervalMs: 2_000,
  maxStalledCount: 2,
  backoffBaseMs: 20,
  backoffMaxMs: 200,
  quotaPauseMs: 60_000,
};

export const SCHEDULE_NOW: Omit<SchedulerRunSettings, 'now'> = { intervalMs: 300_000, spreadMs: 0, batchSize: 20 };

export interface Pipeline {
  db: TestDatabase;
  redis: Redis;
  queue: Queue<PollJobData>;
  /** Every queue of the job registry on the pipeline's producer connection. */
  queues: Queues;
  prefix: string;
  emulator: RunningEmulator;
  encryptionKeys: string;
  cipher: TokenCipher;
  /** Every log line the in-process worker and scheduler wrote (JSON). */
  logLines: string[];
  logger: Logger;
  deps: PollUserDeps;
  /** Starts an in-process poll worker (stopped by close()). */
  startWorker(overrides?: Partial<QueueWorkerSettings> & { deps?: Partial<PollUserDeps>; orm?: MikroORM }): Promise<Worker<PollJobData, PollOutcome>>;
  /** Logs a synthetic user in as Playlog's API does (user row, encrypted tokens, status active); returns Playlog's user id. */
  login(spotifyUserId: string): Promise<string>;
  /** Playlog user id by emulator user id, for every user logged in so far. */
  users: Map<string, string>;
  schedule(settings?: Partial<SchedulerRunSettings>): Promise<SchedulerRunSummary>;
  /** Waits until no job is waiting, delayed, active or prioritized. */
  waitUntilIdle(timeoutMs?: number): Promise<void>;
  storedPlays(userId: string): Promise<string[]>;
  /** What the emulator says recently-played can return now, in the same `played_at track` form. */
  retrievable(spotifyUserId: string): string[];
  credentials(userId: string): Promise<StoredCredentials | null>;
  /** Environment for a worker or scheduler child process pointed at this pipeline. */
  serviceEnv(): Record<string, string>;
  close(): Promise<void>;
}

export async function startPipeline(label: string, emulatorOptions: EmulatorOptions = {}): Promise<Pipeline> {
  const db = await createTestDatabase(label);
  const redis = createRedisConnection(TEST_REDIS_URL, 'producer');
  await waitUntilReady(redis);
  const prefix = uniqueQueuePrefix(label);
  const queues = openQueues(redis, prefix);
  const queue = queues.poll;
  const emulator = await startTestEmulator(emulatorOptions);
  const encryptionKeys = newEncryptionKeys();
  const cipher = new TokenCipher(parseEncryptionKeys(encryptionKeys));
  const logLines: string[] = [];
  const logger = createLogger({ service: 'worker', level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
  const { oauth, api } = spotifyClientsFor(emulator, { timeoutMs: 1_000 });
  const deps: PollUserDeps = {
    cipher,
    api,
    oauth,
    tokens: { refreshMarginMs: 60_000, lifetimeDays: 182, warningDays: 14 },
    maxPages: 10,
    now: Date.now,
  };
  const workers: Array<{ worker: Worker; connection: Redis; queues: Queues }> = [];
  const users = new Map<string, string>();

  const pipeline: Pipeline = {
    db,
    redis,
    queue,
    queues,
    prefix,
    emulator,
    encryptionKeys,
    cipher,
    logLines,
    logger,
    deps,
    users,
    async startWorker(overrides = {}) {
      const { deps: depOverrides, orm, ...settings } = overrides;
      const connection = createRedisConnection(TEST_REDIS_URL, 'worker');
      const workerQueues = openQueues(connection, prefix);
      const { worker } = createQueueWorker(
        pollQueue,
        pollHandler({ ...deps, ...depOverrides }),
        { orm: orm ?? db.orm, connection, logger, pauseSpotify: (ms) => workerQueues.poll.rateLimit(ms) },
        { ...FAST_WORKER_SETTINGS, prefix, ...settings },
      );
      void worker.run();
      await worker.waitUntilReady();
      workers.push({ worker, connection, queues: workerQueues });
      return worker;
    },
    async login(spotifyUserId) {
      const tokens = await loginSyntheticUser(emulator, spotifyUserId);
      const { rows } = await db.sql.query<{ id: string }>(
        `insert into users (id, spotify_user_id, display_name, status) values (gen_random_uuid(), $1, $1, 'active')
         on conflict (spotify_user_id) do update set status = 'active', updated_at = now() returning id`,
        [spotifyUserId],
      );
      const userId = rows[0]!.id;
      const em = db.orm.em.fork();
      await saveCredentials(
        em,
        cipher,
        userId,
        { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, accessTokenExpiresAt: tokens.expiresAt, scopes: tokens.scopes },
        new Date(),
      );
      users.set(spotifyUserId, userId);
      return userId;
    },
    schedule(settings = {}) {
      return runScheduler({ orm: db.orm, queue, redis }, { ...SCHEDULE_NOW, ...settings }, logger);
    },
    async waitUntilIdle(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let quietChecks = 0;
      for (;;) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused');
        const busy = Object.values(counts).reduce((sum: number, n: number) => sum + n, 0);
        quietChecks = busy === 0 ? quietChecks + 1 : 0;
        if (quietChecks >= 2) return;
        if (Date.now() > deadline) throw new Error(`queue not idle after ${timeoutMs} ms: ${JSON.stringify(counts)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async storedPlays(userId) {
      const { rows } = await db.sql.query<{ played_at: Date; track_id: string }>(
        'select played_at, track_id from listening_events where user_id = $1 order by played_at, track_id',
        [userId],
      );
      return rows.map((row) => `${row.played_at.toISOString()} ${row.track_id}`);
    },
    retrievable(spotifyUserId) {
      return emulator
        .groundTruth(spotifyUserId, 'retrievable')
        .map((play) => `${play.played_at} ${play.track.id}`)
        .sort();
    },
    credentials(userId) {
      return loadCredentials(db.orm.em.fork(), cipher, userId);
    },
    serviceEnv() {
      return {
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: db.url,
        DATABASE_POOL_MAX: '4',
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: prefix,
        TOKEN_ENCRYPTION_KEYS: encryptionKeys,
        ...spotifyEnvFor(emulator),
        // Tests run side by side: each worker's metrics and probes on a free port of loopback.
        METRICS_HOST: '127.0.0.1',
        WORKER_METRICS_PORT: '0',
        WORKER_LOCK_DURATION_MS: '2000',
        WORKER_STALLED_INTERVAL_MS: '1000',
        WORKER_BACKOFF_BASE_MS: '20',
        WORKER_BACKOFF_MAX_MS: '200',
      };
    },
    async close() {
      for (const { worker, connection, queues: workerQueues } of workers) {
        await worker.close();
        await workerQueues.close();
        connection.disconnect();
      }
      for (const { queue: each } of queues.all()) await each.obliterate({ force: true }).catch(() => undefined);
      await queues.close();
      redis.disconnect();
      await emulator.stop();
      await db.drop();
    },
  };
  return pipeline;
}

/** Log lines as objects. */
export const parsedLogs = (lines: string[]): Array<Record<string, unknown>> => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

/** Every secret the emulator issued, for asserting that none leaked. */
export function emulatorSecrets(emulator: RunningEmulator): string[] {
  const secrets = emulator.secrets();
  return [secrets.clientSecret, ...secrets.accessTokens, ...secrets.refreshTokens, ...secrets.authorizationCodes, ...secrets.codeVerifiers];
}
