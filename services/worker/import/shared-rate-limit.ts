import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * The import's share of the app-wide Spotify rate limit, taken from THE SAME Redis key BullMQ uses to
 * limit poll jobs (`<prefix>:poll:limiter`, WORKER_MAX_JOBS_PER_SECOND per second).
 *
 * Each track look-up takes one slot of the poll limiter's current one-second window, and only while fewer
 * than `lookupsPerSecond` slots of that window are taken: polls therefore always keep at least
 * WORKER_MAX_JOBS_PER_SECOND - IMPORT_TRACK_LOOKUPS_PER_SECOND starts per second, and an import never
 * starves them. A 429 pause (the poll worker's `queue.rateLimit`, or ours after a 429 on a look-up) sets
 * the key past any limit for Retry-After: polls and look-ups then both wait.
 */
export class SharedSpotifyRateLimit {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    private readonly pollQueue: Queue,
    private readonly settings: { lookupsPerSecond: number; sleep?: (ms: number) => Promise<void> },
  ) {
    this.key = pollQueue.keys.limiter!;
  }

  /** Waits until a look-up may go out, and takes its slot. */
  async acquire(): Promise<void> {
    const sleep = this.settings.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (;;) {
      const waitMs = Number(await this.redis.eval(TAKE_SLOT, 1, this.key, this.settings.lookupsPerSecond, 1_000));
      if (waitMs <= 0) return;
      await sleep(Math.min(waitMs, 1_000));
    }
  }

  /** Spotify answered 429: every worker (polls and imports) waits `ms`. */
  pause(ms: number): Promise<void> {
    return this.pollQueue.rateLimit(ms);
  }
}

// Mirrors BullMQ's limiter: a counter with a one-second expiry set by its first increment.
const TAKE_SLOT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current >= tonumber(ARGV[1]) then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then return ttl end
  redis.call('DEL', KEYS[1])
end
local taken = redis.call('INCR', KEYS[1])
if taken == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;
