import type { Redis } from 'ioredis';
import type { SlidingWindowCounts } from './sliding-window.js';

/**
 * Counters in Redis shared by every API replica: one per fixed window and key, which
 * `decideSlidingWindow` reads as a sliding window together with the window before. Keys are
 * `<keyPrefix>:<who>:<window number>` and expire once no sliding window can read them.
 */
export class WindowCounter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly windowSeconds: number,
  ) {}

  /** Counts one more for `who` (INCR + EXPIRE + GET of the previous window, in one MULTI); the counts with it. */
  async add(who: string, now = Date.now()): Promise<SlidingWindowCounts> {
    const { window, elapsed } = this.position(now);
    const key = this.key(who, window);
    const replies = await this.redis.multi().incr(key).expire(key, 2 * this.windowSeconds + 1).get(this.key(who, window - 1)).exec();
    const failed = replies?.find(([error]) => error)?.[0];
    if (!replies || failed) throw failed ?? new Error('Redis answered no reply to a window counter');
    return { current: Number(replies[0]![1]), previous: Number(replies[2]![1] ?? 0), elapsed };
  }

  /** The counts of `who` as they are, counting nothing. */
  async peek(who: string, now = Date.now()): Promise<SlidingWindowCounts> {
    const { window, elapsed } = this.position(now);
    const [previous, current] = await this.redis.mget(this.key(who, window - 1), this.key(who, window));
    return { current: Number(current ?? 0), previous: Number(previous ?? 0), elapsed };
  }

  private position(now: number): { window: number; elapsed: number } {
    const windowMs = this.windowSeconds * 1000;
    const window = Math.floor(now / windowMs);
    return { window, elapsed: (now - window * windowMs) / windowMs };
  }

  private key(who: string, window: number): string {
    return `${this.keyPrefix}:${who}:${window}`;
  }
}
