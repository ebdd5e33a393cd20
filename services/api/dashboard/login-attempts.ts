import type { Redis } from 'ioredis';
import { decideSlidingWindow } from '../http/sliding-window.js';

export interface LoginAttemptSettings {
  redis: Redis;
  /** QUEUE_PREFIX: the counters live beside the queues'. */
  prefix: string;
  /** Failed logins allowed per window per client. */
  limit: number;
  windowSeconds: number;
}

/** Whether a client may try to log in now, and if not, for how long it must wait. */
export type LoginVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Failed logins per client in Redis, shared by every API replica, read as a sliding window over two
 * fixed-window counters (http/sliding-window.ts). Only failures count: an operator's own requests, a
 * page and its API calls each carrying the right password, never lock anyone out. Once a client is
 * over the limit every attempt is refused, the right password too, so guessing on during a lock-out
 * tells nothing. Redis unreachable: the caller refuses (the dashboard shows nothing without it anyway),
 * so an outage never opens the door to unlimited guesses.
 */
export class LoginAttempts {
  constructor(private readonly settings: LoginAttemptSettings) {}

  /** Whether `client` may log in now (its failures so far leave room for one more attempt). */
  async check(client: string, now = Date.now()): Promise<LoginVerdict> {
    const { window, elapsed } = this.position(now);
    const [previous, current] = await this.settings.redis.mget(this.key(client, window - 1), this.key(client, window));
    return this.verdict({ previous: Number(previous ?? 0), current: Number(current ?? 0) + 1, elapsed });
  }

  /**
   * Counts a failed login of `client`; the verdict says whether this attempt was within the limit (a
   * wrong guess past it is answered as a lock-out, not as a wrong password).
   */
  async fail(client: string, now = Date.now()): Promise<LoginVerdict> {
    const { window, elapsed } = this.position(now);
    const key = this.key(client, window);
    const replies = await this.settings.redis
      .multi()
      .incr(key)
      .expire(key, 2 * this.settings.windowSeconds + 1)
      .get(this.key(client, window - 1))
      .exec();
    const failed = replies?.find(([error]) => error)?.[0];
    if (!replies || failed) throw failed ?? new Error('Redis answered no reply to the login counter');
    return this.verdict({ previous: Number(replies[2]![1] ?? 0), current: Number(replies[0]![1]), elapsed });
  }

  private verdict(counts: { previous: number; current: number; elapsed: number }): LoginVerdict {
    const decision = decideSlidingWindow(counts, this.settings.limit, this.settings.windowSeconds);
    return decision.allowed ? { allowed: true } : { allowed: false, retryAfterSeconds: decision.retryAfterSeconds };
  }

  private position(now: number): { window: number; elapsed: number } {
    const windowMs = this.settings.windowSeconds * 1000;
    const window = Math.floor(now / windowMs);
    return { window, elapsed: (now - window * windowMs) / windowMs };
  }

  private key(client: string, window: number): string {
    return `${this.settings.prefix}:api:dashboard-login-failures:${client}:${window}`;
  }
}
