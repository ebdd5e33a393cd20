import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from '../../shared/logging/logger.js';
import { requestIdOf, requestLogger } from './request-context.js';
import { decideSlidingWindow } from './sliding-window.js';

export interface RateLimitOptions {
  redis: Redis;
  /** QUEUE_PREFIX: keys live beside the queues' and are as easy to find. */
  prefix: string;
  /** What is limited, e.g. "auth" or "graphql": each scope counts on its own. */
  scope: string;
  /** Requests allowed per window per key; 0 disables the limit. */
  limit: number;
  windowSeconds: number;
  /** Who is counted: an IP, a session... */
  keyOf: (req: Request, res: Response) => string | Promise<string>;
  logger: Logger;
}

/**
 * A request counter in Redis shared by every API replica: one counter per fixed window (INCR + EXPIRE
 * + GET of the previous window's, in one MULTI), read as a sliding window (`sliding-window.ts`) so that
 * a window boundary never lets twice the limit through.
 * Over the limit: 429 with Retry-After and a GraphQL-shaped body whose code is RATE_LIMITED.
 * When Redis cannot be reached the request goes through (logged, at most every 30 s): an outage of the
 * counter must not take the API down with it; /readyz reports Redis separately.
 */
export function rateLimit(options: RateLimitOptions) {
  const { redis, limit, windowSeconds } = options;
  let lastWarning = 0;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (limit === 0) return next();
    const windowMs = windowSeconds * 1000;
    const now = Date.now();
    const window = Math.floor(now / windowMs);
    const who = await options.keyOf(req, res);
    const keyOfWindow = (n: number) => `${options.prefix}:api:ratelimit:${options.scope}:${who}:${n}`;
    const key = keyOfWindow(window);
    let counts: { previous: number; current: number };
    try {
      const replies = await redis.multi().incr(key).expire(key, 2 * windowSeconds + 1).get(keyOfWindow(window - 1)).exec();
      const failed = replies?.find(([error]) => error)?.[0];
      if (!replies || failed) throw failed ?? new Error('no reply');
      counts = { current: Number(replies[0]![1]), previous: Number(replies[2]![1] ?? 0) };
    } catch (error) {
      if (now - lastWarning > 30_000) {
        lastWarning = now;
        requestLogger(res).warn({ err: error, scope: options.scope }, 'rate limiter cannot reach Redis: requests are not limited meanwhile');
      }
      return next();
    }
    const decision = decideSlidingWindow({ ...counts, elapsed: (now - window * windowMs) / windowMs }, limit, windowSeconds);
    res.setHeader('RateLimit-Limit', String(limit));
    res.setHeader('RateLimit-Remaining', String(decision.remaining));
    if (decision.allowed) return next();
    const retryAfter = decision.retryAfterSeconds;
    res.setHeader('RateLimit-Reset', String(retryAfter));
    res
      .status(429)
      .setHeader('Retry-After', String(retryAfter))
      .json({
        errors: [
          {
            message: `Too many requests: at most ${limit} per ${windowSeconds} s. Try again in ${retryAfter} s.`,
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfter, requestId: requestIdOf(res) },
          },
        ],
      });
  };
}

/** The client's IP as Express sees it (X-Forwarded-For is trusted only per TRUST_PROXY). */
export const clientIp = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';
