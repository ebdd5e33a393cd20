import { Worker } from 'bullmq';
import { pollJob, POLL_RETENTION, type PollJobData } from '../../services/shared/queue/poll-jobs.js';
import { createPollQueue } from '../../services/shared/queue/poll-queue.js';
import { QUEUE_NAMES } from '../../services/shared/queue/queue-names.js';
import { createRedisConnection } from '../../services/shared/queue/redis-connection.js';
import { REDIS_URL } from '../support/bench-env.js';
import { benchPrefix, benchRedis, memoryUnder } from '../support/bench-redis.js';
import type { LogLine } from '../support/child-service.js';
import { startPollRig } from '../support/poll-rig.js';
import { atMostRatioRow, formatNumber, infoRow } from '../support/results-table.js';
import type { Scenario } from '../support/scenario.js';
import { sleep, timed, waitFor } from '../support/stopwatch.js';

const SIZES = {
  small: { users: 100, jobs: 300, early: 50 },
  default: { users: 10_000, jobs: 100_000, early: 1_000 },
};
const CONCURRENCY = 32;
const mib = (bytes: number) => `${formatNumber(bytes / 2 ** 20)} MiB`;
const isJobLine = (line: LogLine) => typeof line.durationMs === 'number';

export const memoryScenario: Scenario = {
  name: 'memory',
  title: 'memory: worker RSS over many jobs, Redis memory with the chosen retention',
  async run(context) {
    const size = SIZES[context.size];
    const redis = await benchRedis(context);
    const rig = await startPollRig(context, { label: 'memory', users: size.users, latencyMs: 0 });
    await rig.reset();

    // The real worker runs `jobs` polls: rounds of one poll per user (a user's next poll can only be
    // added once the previous one is done: polls are deduplicated per user).
    const prefix = benchPrefix(context, redis, 'memory');
    const [worker] = await rig.startWorkers(1, { prefix, concurrency: CONCURRENCY, count: isJobLine, label: 'memory' });
    const service = worker!.service;
    // Filled in during the first round (a holder object: TypeScript does not follow assignments in closures).
    const early = { rss: Number.NaN, heap: Number.NaN, taken: false };
    const rounds = Math.ceil(size.jobs / size.users);
    context.log(`${size.jobs.toLocaleString('en-US')} polls through one worker (${rounds} rounds of ${size.users.toLocaleString('en-US')})`);
    const run = await timed(async () => {
      for (let round = 0; round < rounds; round++) {
        const since = new Date();
        await rig.enqueuePolls(prefix, rig.userIds);
        if (!early.taken) {
          await waitFor(`${size.early} jobs`, () => service.counted() >= size.early, 120_000, 20);
          Object.assign(early, { rss: service.rssBytes(), heap: worker!.ioStats()?.heapUsedBytes ?? Number.NaN, taken: true });
        }
        await rig.waitUntilPolled(since, 600_000);
        await rig.waitUntilDrained(prefix, 60_000);
        if (round % 10 === 9) context.log(`  ${((round + 1) * size.users).toLocaleString('en-US')} polls done`);
      }
    });
    await sleep(1_000);
    const late = { rss: service.rssBytes(), heap: worker!.ioStats()?.heapUsedBytes ?? Number.NaN, peak: service.peakRssBytes() };
    const jobsRun = service.counted();
    const retained = await memoryUnder(redis, prefix);
    const queue = createPollQueue(redis, prefix);
    context.defer(() => queue.close());
    const [sample] = await queue.getCompleted(0, 0);
    const returnValue: unknown = sample?.returnvalue ?? { status: 'polled' };
    await service.stop();

    // The same number of jobs with every job kept, through a no-op processor that returns what the
    // real worker returned: only the retention differs from the queue above.
    const keepAllPrefix = benchPrefix(context, redis, 'memory-keep-all');
    const connection = createRedisConnection(REDIS_URL, 'worker');
    context.defer(() => void connection.disconnect());
    const keepAll = createPollQueue(connection, keepAllPrefix);
    context.defer(() => keepAll.close());
    const noop = new Worker<PollJobData>(QUEUE_NAMES.poll, async () => returnValue, { connection, prefix: keepAllPrefix, concurrency: 100, autorun: true });
    noop.on('error', () => undefined);
    context.defer(() => noop.close());
    context.log(`${jobsRun.toLocaleString('en-US')} no-op jobs kept forever, for comparison`);
    for (let start = 0; start < jobsRun; start += 500) {
      await keepAll.addBulk(
        Array.from({ length: Math.min(500, jobsRun - start) }, (_, i) => {
          const job = pollJob(rig.userIds[(start + i) % rig.userIds.length]!, 'manual');
          // A job id per job and no deduplication: every one must run and stay.
          return { ...job, opts: { ...job.opts, jobId: `${job.opts.jobId}-${start + i}`, deduplication: undefined, removeOnComplete: false, removeOnFail: false } };
        }),
      );
    }
    await waitFor('the kept jobs to complete', async () => ((await keepAll.getJobCounts('completed')).completed ?? 0) >= jobsRun, 600_000, 250);
    await noop.close();
    const kept = await memoryUnder(redis, keepAllPrefix);

    return {
      rows: [
        atMostRatioRow({
          figure: `worker RSS after ${jobsRun.toLocaleString('en-US')} jobs`,
          value: late.rss / 2 ** 20,
          unit: 'MiB',
          baselineName: `after ${size.early.toLocaleString('en-US')}`,
          baselineValue: early.rss / 2 ** 20,
          maxRatio: 1.2,
        }),
        infoRow(
          'worker heap used, peak RSS',
          `${mib(late.heap)} after ${jobsRun.toLocaleString('en-US')} jobs; peak RSS ${mib(late.peak)}`,
          `heap after ${size.early.toLocaleString('en-US')}: ${mib(early.heap)}`,
        ),
        atMostRatioRow({
          figure: `Redis memory of the queue after ${jobsRun.toLocaleString('en-US')} jobs`,
          value: retained.bytes / 2 ** 20,
          unit: 'MiB',
          baselineName: 'every job kept',
          baselineValue: kept.bytes / 2 ** 20,
          maxRatio: 0.1,
        }),
        infoRow('Redis keys of the queue', `${retained.keys.toLocaleString('en-US')}`, `every job kept: ${kept.keys.toLocaleString('en-US')}`),
        infoRow('worker throughput over the run', `${formatNumber((jobsRun / run.ms) * 1000)} polls/s`, `${CONCURRENCY} concurrent jobs`),
      ],
      notes: [
        `retention: completed jobs kept ${POLL_RETENTION.completed.age / 60} min, at most ${POLL_RETENTION.completed.count.toLocaleString('en-US')}; failed jobs ${POLL_RETENTION.failed.age / 86_400} days (poll-jobs.ts)`,
        `worker RSS read from /proc after ${size.early.toLocaleString('en-US')} jobs (the first round) and 1 s after the last; polls return 0–2 plays (first round) then none`,
        'Redis memory: MEMORY USAGE of every key under the queue prefix; API RSS under load is in the history table',
      ],
    };
  },
};
