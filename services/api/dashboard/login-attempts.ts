import type { Redis } from 'ioredis';
import { decideSlidingWindow, type SlidingWindowCounts } from '../http/sliding-window.js';
import { WindowCounter } from '../http/window-counter.js';

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
 * Failed logins per client in Redis, shared by every API replica, counted and read as the rate limits
 * are (http/window-counter.ts, http/sliding-window.ts). Only failures count: an operator's own requests, a
 * page and its API calls each carrying the right password, never lock anyone out. Once a client is
 * over the limit every attempt is refused, the right password too, so guessing on during a lock-out
 * tells nothing. Redis unreachable: the caller refuses (the dashboard shows nothing without it anyway),
 * so an outage never opens the door to unlimited guesses.
 */
export class LoginAttempts {
  private readonly failures: WindowCounter;

  constructor(private readonly settings: LoginAttemptSettings) {
    this.failures = new WindowCounter(settings.redis, `${settings.prefix}:api:dashboard-login-failures`, settings.windowSeconds);
  }

  /** Whether `client` may log in now (its failures so far leave room for one more attempt). */
  async check(client: string): Promise<LoginVerdict> {
    const counts = await this.failures.peek(client);
    return this.verdict({ ...counts, current: counts.current + 1 });
  }

  /**
   * Counts a failed login of `client`; the verdict says whether this attempt was within the limit (a
   * wrong guess past it is answered as a lock-out, not as a wrong password).
   */
  async fail(client: string): Promise<LoginVerdict> {
    return this.verdict(await this.failures.add(client));
  }

  private verdict(counts: SlidingWindowCounts): LoginVerdict {
    const decision = decideSlidingWindow(counts, this.settings.limit, this.settings.windowSeconds);
    return decision.allowed ? { allowed: true } : { allowed: false, retryAfterSeconds: decision.retryAfterSeconds };
  }
}
