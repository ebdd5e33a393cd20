import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PollJobData } from '../../services/shared/jobs/job-registry.js';
import { openQueue } from '../../services/shared/jobs/open-queues.js';
import { pollQueue as pollQueueDefinition } from '../../services/shared/jobs/job-registry.js';
import { createRedisConnection, waitUntilReady } from '../../services/shared/jobs/redis-connection.js';
import { SharedSpotifyRateLimit } from '../../services/worker/import/shared-rate-limit.js';
import { TEST_REDIS_URL, uniqueQueuePrefix } from '../support/test-env.js';

/** Track look-ups of imports take slots of the poll queue's own limiter, never more than their share. */
let redis: Redis;
let queue: Queue<PollJobData>;
let key: string;
const waits: number[] = [];

beforeAll(async () => {
  redis = createRedisConnection(TEST_REDIS_URL, 'producer');
  await waitUntilReady(redis);
  queue = openQueue(pollQueueDefinition, redis, uniqueQueuePrefix('imports_rate'));
  key = queue.keys.limiter!;
});
afterAll(async () => {
  await queue.obliterate({ force: true }).catch(() => undefined);
  await redis.del(key);
  await queue.close();
  redis.disconnect();
});

/** A limiter whose waits are recorded, and "pass" by ending the current window. */
const limiter = (lookupsPerSecond: number) =>
  new SharedSpotifyRateLimit(redis, queue, {
    lookupsPerSecond,
    sleep: async (ms) => {
      waits.push(ms);
      await redis.del(key);
    },
  });

describe('the import’s share of the Spotify rate limit', () => {
  it('takes at most its share of a window from the poll limiter, leaving the rest to polls', async () => {
    await redis.del(key);
    waits.length = 0;
    const share = limiter(3);
    for (let i = 0; i < 3; i++) await share.acquire();
    expect(waits).toEqual([]);
    expect(Number(await redis.get(key))).toBe(3);
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    await share.acquire();
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeLessThanOrEqual(1_000);
  });

  it('waits when polls have already used its share of the window', async () => {
    await redis.del(key);
    waits.length = 0;
    // What BullMQ's moveToActive does for each poll job started in this window.
    await redis.set(key, 5, 'PX', 1_000);
    await limiter(3).acquire();
    expect(waits).toHaveLength(1);
  });

  it('waits out a 429 pause set by the poll worker, and its own 429 pauses the polls', async () => {
    await redis.del(key);
    waits.length = 0;
    await queue.rateLimit(20_000);
    await limiter(3).acquire();
    expect(waits[0]).toBe(1_000);
    await limiter(3).pause(15_000);
    expect(await queue.getRateLimitTtl()).toBeGreaterThan(14_000);
    await redis.del(key);
  });
});
