import { existsSync, readFileSync } from 'node:fs';
import { DEFAULT_POLL_LOOKBACK_MS } from '../../services/worker/poll/poll-user.job.js';
import os from 'node:os';
import path from 'node:path';
import type { Queue } from 'bullmq';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { TokenCipher, parseEncryptionKeys } from '../../services/shared/crypto/token-cipher.js';
import { saveCredentials } from '../../services/features/accounts/data/credentials.repository.js';
import { openOrm } from '../../services/features/open-orm.js';
import type { PollJobData } from '../../services/shared/jobs/job-registry.js';
import { pollJob } from '../../services/features/polling/poll-jobs.js';
import { openQueue } from '../../services/shared/jobs/open-queues.js';
import { pollQueue as pollQueueDefinition } from '../../services/shared/jobs/job-registry.js';
import { createRedisConnection } from '../../services/shared/jobs/redis-connection.js';
import { benchDatabaseName, createMigratedDatabase, dropDatabase } from './bench-database.js';
import { REDIS_URL, benchWorkerEnv } from './bench-env.js';
import { startChildService, type ChildService, type LogLine } from './child-service.js';
import type { BenchEmulatorTokens } from './emulator-process.js';
import type { IoStats } from './io-instrumentation.js';
import type { ScenarioContext } from './scenario.js';
import { waitFor } from './stopwatch.js';

/** How far back each poll looks: the scheduler's default interval, so a poll sees what a real one would. */
export const POLL_WINDOW_MS = 300_000;

export interface RunningWorker {
  service: ChildService;
  /** The worker's own account of its waits, CPU and memory (io-instrumentation.ts). */
  ioStats(): IoStats | null;
}

export interface PollRig {
  databaseUrl: string;
  sql: pg.Pool;
  emulator: BenchEmulatorTokens;
  userIds: string[];
  /** Puts every user back where a cycle starts: cursor one interval before the emulator's now, nothing stored. */
  reset(): Promise<void>;
  startWorkers(
    count: number,
    options: {
      prefix: string;
      concurrency: number;
      keep?: (line: LogLine) => boolean;
      count?: (line: LogLine) => boolean;
      label: string;
      nodeArgs?: string[];
      /** Extra environment of the workers (METRICS_ENABLED for the metrics comparison). */
      env?: Record<string, string>;
    },
  ): Promise<RunningWorker[]>;
  /** Adds a poll job per user straight to the queue (as the API's requestSync does), in chunks of 500. */
  enqueuePolls(prefix: string, userIds: string[]): Promise<void>;
  /** Waits until no poll job of the queue is waiting, delayed or active. */
  waitUntilDrained(prefix: string, timeoutMs: number): Promise<void>;
  /** One scheduler run with all polls due at once; returns when it enqueued, with when it started. */
  runScheduler(prefix: string): Promise<{ startedAt: number; enqueued: number; durationMs: number }>;
  /** Waits until `expected` users' polls (default: every user's) finished after `since`; returns when the last one did. */
  waitUntilPolled(since: Date, timeoutMs: number, expected?: number): Promise<{ lastAt: number; succeeded: number; failed: number }>;
  /** The bare-loop baseline in `processes` processes of `concurrency` each; calls/s over the whole. */
  bareLoop(processes: number, concurrency: number): Promise<{ calls: number; errors: number; ms: number }>;
  /** Emulator CPU and backends of this database, for time shares. */
  emulatorService: ChildService;
  backendCpuMs(): Promise<number>;
}

const clockTicks = 100; // USER_HZ on Linux
const procCpuMs = (pid: number) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) / clockTicks) * 1000;
  } catch {
    return 0;
  }
};

/**
 * The pieces of a poll benchmark: a migrated database with `users` active users and their encrypted
 * credentials, the Spotify emulator in its own process with the same users (and `latencyMs` added to
 * every Web API call), and ways to start workers, run the scheduler and run the bare-loop baseline.
 */
export async function startPollRig(context: ScenarioContext, options: { label: string; users: number; latencyMs: number }): Promise<PollRig> {
  const scratch = path.join(os.tmpdir(), `playlog-bench-${context.runId}-${options.label}`);
  const tokensFile = `${scratch}-tokens.json`;
  const emulatorService = startChildService(context, {
    name: 'emulator',
    entry: 'bench/support/emulator-process.ts',
    env: { BENCH_EMULATOR_CONFIG: JSON.stringify({ users: options.users, latencyMs: options.latencyMs, tokensFile }) },
  });
  context.defer(async () => {
    const { rm } = await import('node:fs/promises');
    await rm(tokensFile, { force: true });
  });
  const name = benchDatabaseName(context.runId, options.label);
  context.defer(() => dropDatabase(name));
  // The database is migrated while the emulator process starts.
  const [databaseUrl] = await Promise.all([createMigratedDatabase(name), emulatorService.waitForLine((line) => line.msg === 'bench emulator ready', 120_000)]);
  const emulator = JSON.parse(readFileSync(tokensFile, 'utf8')) as BenchEmulatorTokens;
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  context.defer(() => sql.end());

  const encryptionKeys = `bench:${randomBytes(32).toString('base64')}`;
  const cipher = new TokenCipher(parseEncryptionKeys(encryptionKeys));
  const { rows } = await sql.query<{ id: string }>(
    `insert into users (id, spotify_user_id, display_name) select gen_random_uuid(), u, u from unnest($1::text[]) u returning id`,
    [emulator.users.map((user) => user.id)],
  );
  const userIds = rows.map((row) => row.id);
  const orm = await openOrm({ DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: 4 });
  try {
    const expiresAt = new Date(emulator.accessTokenExpiresAtMs);
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = next++; i < userIds.length; i = next++) {
          const user = emulator.users[i]!;
          await saveCredentials(orm.em.fork(), cipher, userIds[i]!, {
            accessToken: user.accessToken,
            refreshToken: user.refreshToken,
            accessTokenExpiresAt: expiresAt,
            scopes: ['user-read-recently-played', 'user-read-private', 'user-read-email'],
          });
        }
      }),
    );
  } finally {
    await orm.close(true);
  }
  await sql.query(`vacuum analyze users, spotify_credentials`);

  const cursorMs = () => emulator.clockMs - POLL_WINDOW_MS;
  const workerEnv = (prefix: string, concurrency: number, statsFile: string) => ({
    ...benchWorkerEnv({ databaseUrl, prefix, encryptionKeys, emulator }),
    WORKER_CONCURRENCY: String(concurrency),
    BENCH_IO_STATS_FILE: statsFile,
    // glibc's allocator setting, passed through when set, to compare worker memory with and without it.
    ...(process.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX } : {}),
  });

  const producer = createRedisConnection(REDIS_URL, 'worker');
  producer.on('error', () => undefined);
  context.defer(() => void producer.disconnect());
  const queues = new Map<string, Queue<PollJobData>>();
  const queueFor = (prefix: string) => {
    let queue = queues.get(prefix);
    if (!queue) {
      queue = openQueue(pollQueueDefinition, producer, prefix);
      queues.set(prefix, queue);
      const created = queue;
      context.defer(() => created.close());
    }
    return queue;
  };

  const rig: PollRig = {
    databaseUrl,
    sql,
    emulator,
    userIds,
    emulatorService,
    async reset() {
      await sql.query(`truncate export_track_names, play_counts, stats_quarters, stats_tracks, play_duplicates, listening_events, track_artists, tracks, albums, artists`);
      await sql.query(
        `insert into poll_state (user_id, after_cursor_ms) select id, $1 from users
         on conflict (user_id) do update set after_cursor_ms = excluded.after_cursor_ms, last_polled_at = null, last_success_at = null,
           last_error_at = null, last_error = null, consecutive_failures = 0`,
        [cursorMs()],
      );
      await sql.query(`vacuum analyze poll_state`);
    },
    async startWorkers(count, { prefix, concurrency, keep, count: countLines, label, nodeArgs, env: extraEnv }) {
      const workers = Array.from({ length: count }, (_, i) => {
        const statsFile = `${scratch}-${label}-${i}.json`;
        context.defer(async () => {
          const { rm } = await import('node:fs/promises');
          await rm(statsFile, { force: true });
          await rm(`${statsFile}.tmp`, { force: true });
        });
        const env = { ...workerEnv(prefix, concurrency, statsFile), ...extraEnv };
        const service = startChildService(context, {
          name: `worker-${label}-${i}`,
          command: 'worker',
          imports: ['bench/support/io-instrumentation.ts'],
          env,
          ...(keep ? { keep } : {}),
          ...(countLines ? { count: countLines } : {}),
          // Started as the image starts it (`playlog worker`: its heap bound), plus what the scenario needs.
          ...(nodeArgs ? { nodeArgs } : {}),
        });
        return {
          service,
          ioStats: () => (existsSync(statsFile) ? (JSON.parse(readFileSync(statsFile, 'utf8')) as IoStats) : null),
        };
      });
      await Promise.all(workers.map((worker) => worker.service.waitForLine((line) => line.msg === 'worker ready', 60_000)));
      return workers;
    },
    async runScheduler(prefix) {
      const scheduler = startChildService(context, {
        name: 'scheduler',
        command: 'scheduler',
        env: { DATABASE_URL: databaseUrl, REDIS_URL, QUEUE_PREFIX: prefix, LOG_LEVEL: 'info', SCHEDULER_SPREAD_SECONDS: '0' },
        keep: (line) => typeof line.msg === 'string' && line.msg.startsWith('scheduler run'),
      });
      const code = await scheduler.exited;
      const line = scheduler.kept[0] as (LogLine & { time: number | string; enqueued: number; durationMs: number }) | undefined;
      if (code !== 0 || !line) throw new Error(`the scheduler run failed (exit ${code})`);
      // pino writes epoch ms or an ISO string, depending on the logger's timestamp setting.
      const loggedAt = typeof line.time === 'number' ? line.time : Date.parse(line.time);
      return { startedAt: loggedAt - line.durationMs, enqueued: line.enqueued, durationMs: line.durationMs };
    },
    async enqueuePolls(prefix, ids) {
      const queue = queueFor(prefix);
      for (let start = 0; start < ids.length; start += 500) {
        await queue.addBulk(ids.slice(start, start + 500).map((id) => pollJob(id, 'manual')));
      }
    },
    async waitUntilDrained(prefix, timeoutMs) {
      const queue = queueFor(prefix);
      await waitFor(
        'the poll queue to drain',
        async () => {
          const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'paused');
          return Object.values(counts).every((n) => n === 0);
        },
        timeoutMs,
        100,
      );
    },
    async waitUntilPolled(since, timeoutMs, expected = userIds.length) {
      let result = { lastAt: 0, succeeded: 0, failed: 0 };
      await waitFor(
        'every user to be polled',
        async () => {
          const { rows: counts } = await sql.query<{ polled: string; succeeded: string; last_at: Date | null }>(
            `select count(*) as polled, count(*) filter (where last_success_at >= $1) as succeeded, max(last_polled_at) as last_at
               from poll_state where last_polled_at >= $1`,
            [since],
          );
          const row = counts[0]!;
          result = { lastAt: row.last_at?.getTime() ?? 0, succeeded: Number(row.succeeded), failed: Number(row.polled) - Number(row.succeeded) };
          return Number(row.polled) >= expected;
        },
        timeoutMs,
        100,
      );
      return result;
    },
    async bareLoop(processes, concurrency) {
      const loops = Array.from({ length: processes }, (_, i) =>
        startChildService(context, {
          name: `bare-loop-${i}`,
          entry: 'bench/baselines/bare-recently-played-loop.ts',
          env: { BENCH_TOKENS_FILE: tokensFile, BENCH_CONCURRENCY: String(concurrency), BENCH_AFTER_MS: String(Math.max(0, cursorMs() - DEFAULT_POLL_LOOKBACK_MS)), BENCH_SHARD: `${i}/${processes}` },
          keep: (line) => line.msg === 'bare loop done',
        }),
      );
      await Promise.all(loops.map((loop) => loop.waitForLine((line) => line.msg === 'bare loop ready', 60_000)));
      const done = loops.map((loop) => loop.waitForLine((line) => line.msg === 'bare loop done', 600_000));
      for (const loop of loops) loop.signal('SIGUSR2');
      const results = (await Promise.all(done)) as Array<LogLine & { calls: number; errors: number; startedAt: number; endedAt: number }>;
      await Promise.all(loops.map((loop) => loop.stop()));
      const start = Math.min(...results.map((r) => r.startedAt));
      const end = Math.max(...results.map((r) => r.endedAt));
      return { calls: results.reduce((s, r) => s + r.calls, 0), errors: results.reduce((s, r) => s + r.errors, 0), ms: end - start };
    },
    async backendCpuMs() {
      const { rows: backends } = await sql.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database()`);
      return backends.reduce((sum, row) => sum + procCpuMs(row.pid), 0);
    },
  };
  return rig;
}

export { procCpuMs };
