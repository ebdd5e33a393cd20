import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { enqueuePoll, jitteredExponentialBackoff, pollJob, removePollJobs, type PollJobData } from '../../services/shared/queue/poll-jobs.js';
import { createPollQueue } from '../../services/shared/queue/poll-queue.js';
import { createRedisConnection, waitUntilReady } from '../../services/shared/queue/redis-connection.js';
import { TEST_REDIS_URL, uniqueQueuePrefix } from '../support/test-env.js';

let redis: Redis;
let queue: Queue<PollJobData>;
beforeAll(async () => {
  redis = createRedisConnection(TEST_REDIS_URL, 'producer');
  await waitUntilReady(redis);
  queue = createPollQueue(redis, uniqueQueuePrefix('polljobs'));
});
afterAll(async () => {
  await queue?.obliterate({ force: true });
  await queue?.close();
  redis?.disconnect();
});

describe('poll jobs', () => {
  it('does not queue a second poll for a user whose poll is still waiting', async () => {
    expect(await enqueuePoll(queue, 'user-a', 'manual')).toBe(true);
    expect(await enqueuePoll(queue, 'user-a', 'manual')).toBe(false);
    expect(await enqueuePoll(queue, 'user-b', 'manual')).toBe(true);
    const waiting = await queue.getWaiting();
    expect(waiting.map((job) => job.data.userId).sort()).toEqual(['user-a', 'user-b']);
  });

  it('builds ids BullMQ accepts: no colon, not all digits, stable within a slot', () => {
    const a = pollJob('0d9f3c1e-0000-4000-8000-000000000001', 'schedule', { slotMs: 300_000, now: 1_000_000 });
    const b = pollJob('0d9f3c1e-0000-4000-8000-000000000001', 'schedule', { slotMs: 300_000, now: 1_150_000 });
    expect(a.opts.jobId).toBe(b.opts.jobId);
    expect(a.opts.jobId).not.toContain(':');
    expect(a.data).toEqual({ userId: '0d9f3c1e-0000-4000-8000-000000000001', reason: 'schedule' });
  });

  it('removes a deleted user’s queued poll so a new one can be queued later', async () => {
    await enqueuePoll(queue, 'user-c', 'login');
    await removePollJobs(queue, 'user-c');
    expect((await queue.getWaiting()).some((job) => job.data.userId === 'user-c')).toBe(false);
    expect(await enqueuePoll(queue, 'user-c', 'login')).toBe(true);
  });

  it('spreads retries with jitter under a growing, capped ceiling', () => {
    expect(jitteredExponentialBackoff(1, 1000, 60_000, () => 0)).toBe(500);
    expect(jitteredExponentialBackoff(3, 1000, 60_000, () => 1)).toBe(4000);
    expect(jitteredExponentialBackoff(20, 1000, 60_000, () => 1)).toBe(60_000);
  });
});
