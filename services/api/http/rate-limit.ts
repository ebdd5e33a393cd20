import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from '../../shared/logging/logger.js';
import { requestIdOf, requestLogger } from './request-context.js';
import { decideSlidingWindow, type SlidingWindowCounts } from './sliding-window.js';
import { WindowCounter } from './window-counter.js';

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
  /** Told of every request refused (the API's metrics). */
  onRejected?: (scope: string) => void;
}

/**
 * A request counter in Redis shared by every API replica (window-counter.ts), read as a sliding window
 * (`sliding-window.ts`) so that a window boundary never lets twice the limit through.
 * Over the limit: 429 with Retry-After and a GraphQL-shaped body whose code is RATE_LIMITED.
 * When Redis cannot be reached the request goes through (logged, at most every 30 s): an outage of the
 * counter must not take the API down with it; /readyz reports Redis separately.
 */
export function rateLimit(options: RateLimitOptions) {
  const { limit, windowSeconds } = options;
  const counter = new WindowCounter(options.redis, `${options.prefix}:api:ratelimit:${options.scope}`, windowSeconds);
  let lastWarning = 0;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (limit === 0) return next();
    const now = Date.now();
    const who = await options.keyOf(req, res);
    let counts: SlidingWindowCounts;
    try {
      counts = await counter.add(who, now);
    } catch (error) {
      if (now - lastWarning > 30_000) {
        lastWarning = now;
        requestLogger(res).warn({ err: error, scope: options.scope }, 'rate limiter cannot reach Redis: requests are not limited meanwhile');
      }
      return next();
    }
    const decision = decideSlidingWindow(counts, limit, windowSeconds);
    res.setHeader('RateLimit-Limit', String(limit));
    res.setHeader('RateLimit-Remaining', String(decision.remaining));
    if (decision.allowed) return next();
    options.onRejected?.(options.scope);
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
