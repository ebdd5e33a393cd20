import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { retryAfterSeconds } from '../http/rate-limit.js';

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
 * Failed logins per client in Redis, shared by every API replica, counted as the rate limits count
 * requests (rate-limiter-flexible; a client's window starts with its first failure). Only failures count:
 * an operator's own requests, a page and its API calls each carrying the right password, never lock anyone
 * out. Once a client is over the limit every attempt is refused, the right password too, so guessing on
 * during a lock-out tells nothing. Redis unreachable: the caller refuses (the dashboard shows nothing
 * without it anyway), so an outage never opens the door to unlimited guesses.
 */
export class LoginAttempts {
  private readonly failures: RateLimiterRedis;

  constructor(private readonly settings: LoginAttemptSettings) {
    this.failures = new RateLimiterRedis({
      storeClient: settings.redis,
      keyPrefix: `${settings.prefix}:api:dashboard-login-failures`,
      points: settings.limit,
      duration: settings.windowSeconds,
    });
  }

  /** Whether `client` may log in now (its failures so far leave room for one more attempt). Counts nothing. */
  async check(client: string): Promise<LoginVerdict> {
    const failed = await this.failures.get(client);
    if (failed === null || failed.consumedPoints < this.settings.limit) return { allowed: true };
    return { allowed: false, retryAfterSeconds: retryAfterSeconds(failed) };
  }

  /**
   * Counts a failed login of `client`; the verdict says whether this attempt was within the limit (a
   * wrong guess past it is answered as a lock-out, not as a wrong password). Rejects when Redis does.
   */
  async fail(client: string): Promise<LoginVerdict> {
    try {
      await this.failures.consume(client);
      return { allowed: true };
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: retryAfterSeconds(outcome) };
      throw outcome;
    }
  }
}
