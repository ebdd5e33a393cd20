import pg from 'pg';
import { pollJob } from '../../services/features/polling/poll-jobs.js';
import { openQueue } from '../../services/shared/jobs/open-queues.js';
import { pollQueue as pollQueueDefinition } from '../../services/shared/jobs/job-registry.js';
import { createRedisConnection } from '../../services/shared/jobs/redis-connection.js';
import { benchDatabaseName, createMigratedDatabase, dropDatabase } from '../support/bench-database.js';
import { REDIS_URL } from '../support/bench-env.js';
import { benchPrefix, benchRedis, memoryUnder } from '../support/bench-redis.js';
import { startChildService } from '../support/child-service.js';
import { atLeastRatioRow, atMostRatioRow, checkRow, formatNumber, infoRow } from '../support/results-table.js';
import type { Scenario, ScenarioContext } from '../support/scenario.js';
import { timed } from '../support/stopwatch.js';

const SIZES = { small: { users: 2_000 }, default: { users: 100_000 } };
/** The scheduler's default page size (SCHEDULER_BATCH_SIZE); the raw pipeline writes in the same chunks. */
const BATCH = 500;
const POLL_INTERVAL_SECONDS = 300;

interface SchedulerSummary {
  scanned: number;
  due: number;
  enqueued: number;
  skipped: number;
  durationMs: number;
}

/** One `npm run start:scheduler` run (a CronJob run), its summary read from its JSON log. */
async function runSchedulerProcess(context: ScenarioContext, env: Record<string, string>): Promise<{ summary: SchedulerSummary; wallMs: number }> {
  const { ms, result } = await timed(async () => {
    const scheduler = startChildService(context, {
      name: 'scheduler',
      command: 'scheduler',
      env,
      keep: (line) => typeof line.msg === 'string' && line.msg.startsWith('scheduler run'),
    });
    const code = await scheduler.exited;
    const line = scheduler.kept[0];
    if (code !== 0 || !line) throw new Error(`the scheduler run failed (exit ${code}${line ? '' : ', no summary line'})`);
    return line as unknown as SchedulerSummary;
  });
  return { summary: result, wallMs: ms };
}

export const fanOutScenario: Scenario = {
  name: 'fan-out',
  title: 'scheduler fan-out: one scheduler run enqueues a poll per user',
  async run(context) {
    const { users } = SIZES[context.size];
    const redis = await benchRedis(context);
    const name = benchDatabaseName(context.runId, 'fan_out');
    const url = await createMigratedDatabase(name);
    context.defer(() => dropDatabase(name));
    const sql = new pg.Pool({ connectionString: url, max: 2 });
    context.defer(() => sql.end());
    await sql.query(`insert into users (id, spotify_user_id, display_name) select gen_random_uuid(), 'fan-out-' || i, 'Fan-out ' || i from generate_series(1, $1::int) i`, [
      users,
    ]);
    await sql.query(`vacuum analyze users`);

    // Baseline: the same number of small payloads, pipelined raw, in the scheduler's chunk size.
    const rawPrefix = benchPrefix(context, redis, 'fan-out-raw');
    const payload = (i: number) => JSON.stringify({ userId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, reason: 'schedule' });
    const raw = await timed(async () => {
      for (let start = 0; start < users; start += BATCH) {
        const pipeline = redis.pipeline();
        for (let i = start; i < Math.min(users, start + BATCH); i++) pipeline.set(`${rawPrefix}:job:${i}`, payload(i));
        await pipeline.exec();
      }
    });

    // The scheduler's parts alone: reading the users (keyset pages) and BullMQ's addBulk of the same jobs.
    const scan = await timed(async () => {
      let after = '00000000-0000-0000-0000-000000000000';
      let ids: string[] = [];
      let total = 0;
      do {
        const { rows } = await sql.query<{ id: string }>(`select id from users where status = 'active' and id > $1 order by id limit $2`, [after, BATCH]);
        ids = rows.map((row) => row.id);
        total += ids.length;
        if (ids.length) after = ids[ids.length - 1]!;
      } while (ids.length === BATCH);
      return total;
    });
    const bulkPrefix = benchPrefix(context, redis, 'fan-out-bulk');
    const producer = createRedisConnection(REDIS_URL, 'worker');
    context.defer(() => void producer.disconnect());
    const bulkQueue = openQueue(pollQueueDefinition, producer, bulkPrefix);
    context.defer(() => bulkQueue.close());
    const { rows: idRows } = await sql.query<{ id: string }>(`select id from users order by id`);
    const now = Date.now();
    const addBulk = await timed(async () => {
      for (let start = 0; start < idRows.length; start += BATCH) {
        await bulkQueue.addBulk(idRows.slice(start, start + BATCH).map((row) => pollJob(row.id, 'schedule', { slotMs: POLL_INTERVAL_SECONDS * 1000, now })));
      }
    });

    const prefix = benchPrefix(context, redis, 'fan-out');
    const env = {
      DATABASE_URL: url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
      POLL_INTERVAL_SECONDS: String(POLL_INTERVAL_SECONDS),
      SCHEDULER_BATCH_SIZE: String(BATCH),
    };
    context.log(`scheduler run 1 of 2 over ${users.toLocaleString('en-US')} users`);
    const first = await runSchedulerProcess(context, env);
    const queue = openQueue(pollQueueDefinition, producer, prefix);
    context.defer(() => queue.close());
    const countQueued = async () => {
      const counts = await queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active');
      return Object.values(counts).reduce((sum, n) => sum + n, 0);
    };
    const queuedAfterFirst = await countQueued();
    const memory = await memoryUnder(redis, prefix);
    context.log('scheduler run 2 of 2, same queue');
    const second = await runSchedulerProcess(context, env);
    const queuedAfterSecond = await countQueued();

    const rate = (count: number, ms: number) => (count / ms) * 1000;
    const rawRate = rate(users, raw.ms);
    return {
      rows: [
        atLeastRatioRow({
          figure: 'scheduler run (scan + enqueue), jobs/s',
          value: rate(first.summary.enqueued, first.summary.durationMs),
          unit: 'jobs/s',
          baselineName: 'raw ioredis pipeline',
          baselineValue: rawRate,
          minRatio: 0.3,
        }),
        checkRow({
          figure: 'run 1: jobs enqueued',
          measured: `${first.summary.enqueued.toLocaleString('en-US')} (queue holds ${queuedAfterFirst.toLocaleString('en-US')})`,
          target: `${users.toLocaleString('en-US')}`,
          pass: first.summary.enqueued === users && queuedAfterFirst === users,
        }),
        checkRow({
          figure: 'run 2, same queue: duplicates enqueued',
          measured: `${second.summary.enqueued} (queue holds ${queuedAfterSecond.toLocaleString('en-US')})`,
          baseline: `skipped: ${second.summary.skipped.toLocaleString('en-US')}`,
          target: '0',
          pass: second.summary.enqueued === 0 && queuedAfterSecond === users,
        }),
        atMostRatioRow({
          figure: 'run 2 time',
          value: second.summary.durationMs,
          unit: 'ms',
          baselineName: 'run 1',
          baselineValue: first.summary.durationMs,
          maxRatio: 2,
        }),
        atLeastRatioRow({
          figure: 'part: BullMQ addBulk alone, same jobs',
          value: rate(users, addBulk.ms),
          unit: 'jobs/s',
          baselineName: 'raw ioredis pipeline',
          baselineValue: rawRate,
          minRatio: null,
        }),
        infoRow('part: keyset scan of the users alone', `${formatNumber(rate(scan.result, scan.ms))} users/s`, `${BATCH} per page`),
        infoRow(
          'scheduler process wall time (start-up included)',
          `run 1: ${formatNumber(first.wallMs / 1000)} s, run 2: ${formatNumber(second.wallMs / 1000)} s`,
          `runs alone: ${formatNumber(first.summary.durationMs / 1000)} s, ${formatNumber(second.summary.durationMs / 1000)} s`,
        ),
        infoRow('Redis memory of the queued jobs', `${formatNumber(memory.bytes / 2 ** 20)} MiB`, `${formatNumber(memory.bytes / users)} bytes per job, ${memory.keys.toLocaleString('en-US')} keys`),
      ],
      notes: [
        `${users.toLocaleString('en-US')} active users; POLL_INTERVAL_SECONDS=${POLL_INTERVAL_SECONDS}, polls spread over the interval (delayed jobs), SCHEDULER_BATCH_SIZE=${BATCH}`,
        `raw baseline: SET of a ${payload(0).length}-byte payload per user, pipelined ${BATCH} at a time`,
        'rates are over the run as the scheduler times it (its log line), without process start-up',
      ],
    };
  },
};
