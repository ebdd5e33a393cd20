import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from '../../shared/logging/logger.js';
import { requestIdOf, requestLogger } from './request-id.js';

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
 * A fixed-window request counter in Redis (INCR + EXPIRE in one MULTI), shared by every API replica.
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
    const key = `${options.prefix}:api:ratelimit:${options.scope}:${await options.keyOf(req, res)}:${window}`;
    let count: number;
    try {
      const replies = await redis.multi().incr(key).expire(key, windowSeconds + 1).exec();
      const [error, value] = replies?.[0] ?? [new Error('no reply'), null];
      if (error) throw error;
      count = Number(value);
    } catch (error) {
      if (now - lastWarning > 30_000) {
        lastWarning = now;
        requestLogger(res).warn({ err: error, scope: options.scope }, 'rate limiter cannot reach Redis: requests are not limited meanwhile');
      }
      return next();
    }
    const resetSeconds = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
    res.setHeader('RateLimit-Limit', String(limit));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, limit - count)));
    res.setHeader('RateLimit-Reset', String(resetSeconds));
    if (count <= limit) return next();
    res
      .status(429)
      .setHeader('Retry-After', String(resetSeconds))
      .json({
        errors: [
          {
            message: `Too many requests: at most ${limit} per ${windowSeconds} s. Try again in ${resetSeconds} s.`,
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds: resetSeconds, requestId: requestIdOf(res) },
          },
        ],
      });
  };
}

/** The client's IP as Express sees it (X-Forwarded-For is trusted only per TRUST_PROXY). */
export const clientIp = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';
