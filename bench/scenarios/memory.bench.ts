import { Worker } from 'bullmq';
import { pollQueue, type PollJobData } from '../../services/shared/jobs/job-registry.js';
import { pollJob } from '../../services/features/polling/poll-jobs.js';
import { openQueue } from '../../services/shared/jobs/open-queues.js';
import { createRedisConnection } from '../../services/shared/jobs/redis-connection.js';
import { REDIS_URL } from '../support/bench-env.js';
import { benchPrefix, benchRedis, memoryUnder } from '../support/bench-redis.js';
import { startPollRig } from '../support/poll-rig.js';
import { atMostRatioRow, formatNumber, infoRow } from '../support/results-table.js';
import type { Scenario } from '../support/scenario.js';
import { sleep, timed, waitFor } from '../support/stopwatch.js';

/** BENCH_MEMORY_JOBS overrides the number of jobs (to explore; the target is stated at 100,000). */
const SIZES = {
  small: { users: 100, jobs: 300, early: 50, restMs: 500 },
  default: { users: 10_000, jobs: Number(process.env.BENCH_MEMORY_JOBS ?? 100_000), early: 1_000, restMs: 2_000 },
};
const CONCURRENCY = 32;
const mib = (bytes: number) => `${formatNumber(bytes / 2 ** 20)} MiB`;

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
    const [worker] = await rig.startWorkers(1, { prefix, concurrency: CONCURRENCY, label: 'memory', nodeArgs: ['--expose-gc'] });
    const service = worker!.service;
    /** RSS and the process's own account of its memory, at rest after a full GC (io-instrumentation.ts). */
    const reading = async () => {
      // Both readings in the same state: queue drained, a moment of rest, then a forced full GC.
      await sleep(size.restMs);
      service.signal('SIGUSR2');
      await sleep(300);
      const stats = worker!.ioStats();
      return {
        rss: service.rssBytes(),
        heapUsed: stats?.heapUsedBytes ?? Number.NaN,
        heapTotal: stats?.heapTotalBytes ?? Number.NaN,
        external: stats?.externalBytes ?? Number.NaN,
      };
    };
    /** Polls of `ids` (each user at most once: polls are deduplicated per user), until all are done. */
    const pollAll = async (ids: string[]) => {
      const since = new Date();
      await rig.enqueuePolls(prefix, ids);
      await rig.waitUntilPolled(since, 600_000, ids.length);
      await rig.waitUntilDrained(prefix, 60_000);
    };

    context.log(`${size.jobs.toLocaleString('en-US')} polls through one worker: ${size.early.toLocaleString('en-US')}, then rounds of up to ${size.users.toLocaleString('en-US')}`);
    const run = await timed(async () => {
      await pollAll(rig.userIds.slice(0, size.early));
      return reading();
    });
    const early = run.result;
    let done = size.early;
    const rest = await timed(async () => {
      while (done < size.jobs) {
        const ids = rig.userIds.slice(0, Math.min(rig.userIds.length, size.jobs - done));
        await pollAll(ids);
        done += ids.length;
        context.log(`  ${done.toLocaleString('en-US')} polls done, worker RSS ${mib(service.rssBytes())}`);
      }
    });
    const late = { ...(await reading()), peak: service.peakRssBytes() };
    // pollAll waited for every one of them in poll_state: this many jobs ran.
    const jobsRun = done;
    const retained = await memoryUnder(redis, prefix);
    const queue = openQueue(pollQueue, redis, prefix);
    context.defer(() => queue.close());
    const [sample] = await queue.getCompleted(0, 0);
    const returnValue: unknown = sample?.returnvalue ?? { status: 'polled' };
    await service.stop();

    // The same number of jobs with every job kept, through a no-op processor that returns what the
    // real worker returned: only the retention differs from the queue above.
    const keepAllPrefix = benchPrefix(context, redis, 'memory-keep-all');
    const connection = createRedisConnection(REDIS_URL, 'worker');
    context.defer(() => void connection.disconnect());
    const keepAll = openQueue(pollQueue, connection, keepAllPrefix);
    context.defer(() => keepAll.close());
    const noop = new Worker<PollJobData>(pollQueue.name, async () => returnValue, { connection, prefix: keepAllPrefix, concurrency: 100, autorun: true });
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
          'worker JS heap used / heap reserved / external',
          `${mib(late.heapUsed)} / ${mib(late.heapTotal)} / ${mib(late.external)}; peak RSS ${mib(late.peak)}`,
          `after ${size.early.toLocaleString('en-US')}: ${mib(early.heapUsed)} / ${mib(early.heapTotal)} / ${mib(early.external)}`,
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
        infoRow(`worker throughput after the first ${size.early.toLocaleString('en-US')}`, `${formatNumber(((jobsRun - size.early) / rest.ms) * 1000)} polls/s`, `${CONCURRENCY} concurrent jobs`),
      ],
      notes: [
        `retention: completed jobs kept ${pollQueue.retention.completed.age / 60} min, at most ${pollQueue.retention.completed.count.toLocaleString('en-US')}; failed jobs ${pollQueue.retention.failed.age / 86_400} days (job-registry.ts)`,
        `worker memory read at rest (queue drained, ${size.restMs / 1000} s idle) right after a forced full GC (--expose-gc, SIGUSR2), after ${size.early.toLocaleString('en-US')} jobs and after the last; polls return 0–2 new plays the first time a user is polled, then none${process.env.MALLOC_ARENA_MAX ? `; MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX}` : ''}`,
        'Redis memory: MEMORY USAGE of every key under the queue prefix; API RSS under load is in the history table',
      ],
    };
  },
};
