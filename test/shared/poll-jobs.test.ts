import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Worker, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { pollQueue, type PollJobData } from '../../services/shared/jobs/job-registry.js';
import { openQueue } from '../../services/shared/jobs/open-queues.js';
import { pollJob, removePollJobs, requestPoll } from '../../services/features/polling/poll-jobs.js';
import { createRedisConnection, waitUntilReady } from '../../services/shared/jobs/redis-connection.js';
import { TEST_REDIS_URL, uniqueQueuePrefix } from '../support/test-env.js';

let redis: Redis;
let queue: Queue<PollJobData>;
const prefix = uniqueQueuePrefix('polljobs');
beforeAll(async () => {
  redis = createRedisConnection(TEST_REDIS_URL, 'producer');
  await waitUntilReady(redis);
  queue = openQueue(pollQueue, redis, prefix);
});
beforeEach(async () => {
  await queue.obliterate({ force: true });
});
afterAll(async () => {
  await queue?.obliterate({ force: true });
  await queue?.close();
  redis?.disconnect();
});

const addScheduled = async (userId: string, delayMs: number) => {
  const job = pollJob(userId, 'schedule', { slotMs: 300_000, delayMs });
  return queue.add(job.name, job.data, job.opts);
};

describe('poll jobs', () => {
  it('does not queue a second poll for a user whose poll is still waiting', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    expect(await requestPoll(queue, a, 'manual')).toMatchObject({ status: 'started' });
    expect(await requestPoll(queue, a, 'manual')).toMatchObject({ status: 'started' });
    expect(await requestPoll(queue, b, 'manual')).toMatchObject({ status: 'started' });
    const waiting = await queue.getWaiting();
    expect(waiting.map((job) => job.data.userId).sort()).toEqual([a, b].sort());
  });

  it('starts a requested poll now: the user’s delayed scheduled poll is replaced, not waited for', async () => {
    const userId = randomUUID();
    await addScheduled(userId, 240_000);
    expect(await queue.getDelayedCount()).toBe(1);
    const answer = await requestPoll(queue, userId, 'manual');
    expect(answer.status).toBe('started');
    expect(await queue.getDelayedCount()).toBe(0);
    const [waiting, ...more] = await queue.getWaiting();
    expect(more).toEqual([]);
    expect(waiting?.data).toEqual({ userId, reason: 'manual' });
  });

  it('answers already_running while a poll of the user runs, and queues one more right after it', async () => {
    const userId = randomUUID();
    await addScheduled(userId, 0);
    const connection = createRedisConnection(TEST_REDIS_URL, 'worker');
    let release!: () => void;
    let closeWorker: () => Promise<void> = async () => undefined;
    const started = new Promise<void>((resolve) => {
      const worker = new Worker<PollJobData>(
        pollQueue.name,
        async (job) => {
          if (job.data.reason === 'schedule') {
            resolve();
            await new Promise<void>((done) => (release = done));
          }
        },
        { connection, prefix, concurrency: 1 },
      );
      closeWorker = () => worker.close();
    });
    try {
      await started;
      const answer = await requestPoll(queue, userId, 'manual');
      expect(answer.status).toBe('already_running');
      release();
      // The running poll finishes, and the requested one runs after it.
      for (let i = 0; i < 100 && (await queue.getCompletedCount()) < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      const completed = await queue.getCompleted();
      expect(completed.map((job) => job.data.reason).sort()).toEqual(['manual', 'schedule']);
    } finally {
      await closeWorker();
      connection.disconnect();
    }
  });

  it('builds ids BullMQ accepts: no colon, not all digits, stable within a slot', () => {
    const a = pollJob('0d9f3c1e-0000-4000-8000-000000000001', 'schedule', { slotMs: 300_000, now: 1_000_000 });
    const b = pollJob('0d9f3c1e-0000-4000-8000-000000000001', 'schedule', { slotMs: 300_000, now: 1_150_000 });
    expect(a.opts.jobId).toBe(b.opts.jobId);
    expect(a.opts.jobId).not.toContain(':');
    expect(a.data).toEqual({ userId: '0d9f3c1e-0000-4000-8000-000000000001', reason: 'schedule' });
  });

  it('takes its options from the job registry, with no backoff delay the worker would ignore', () => {
    const { opts } = pollJob(randomUUID(), 'schedule');
    expect(opts).toMatchObject({ attempts: pollQueue.attempts, removeOnComplete: pollQueue.retention.completed, removeOnFail: pollQueue.retention.failed });
    expect(opts.backoff).toEqual({ type: 'jitteredExponential' });
  });

  it('refuses a job whose data does not match the queue’s payload', () => {
    expect(() => pollJob('not-a-user-id', 'schedule')).toThrow();
  });

  it('removes a deleted user’s queued poll so a new one can be queued later', async () => {
    const userId = randomUUID();
    await requestPoll(queue, userId, 'login');
    await removePollJobs(queue, userId);
    expect((await queue.getWaiting()).some((job) => job.data.userId === userId)).toBe(false);
    expect(await requestPoll(queue, userId, 'login')).toMatchObject({ status: 'started' });
    expect((await queue.getWaiting()).filter((job) => job.data.userId === userId)).toHaveLength(1);
  });
});
