import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../../shared/logging/logger.js';
import { requestIdOf, requestLogger } from './request-context.js';

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
  /** How the answer says it, when not as the GraphQL API does (limitAnswers): the ListenBrainz API's headers and body. */
  answers?: LimitAnswers;
}

/** What a limited route adds to an answer it counted, and how it refuses one over the limit. */
export interface LimitAnswers {
  counted(res: Response, counted: RateLimiterRes): void;
  refused(res: Response, refusal: RateLimiterRes): void;
}

/** Whole seconds until a refused client may come back: never 0, which would tell it to retry at once. */
export const retryAfterSeconds = (refusal: RateLimiterRes): number => Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));

/**
 * A request counter in Redis shared by every API replica (rate-limiter-flexible's RateLimiterRedis: one
 * atomic script per request). Each client's window starts with its first counted request.
 * Over the limit: 429 with Retry-After and, unless `answers` says otherwise, a GraphQL-shaped body whose code is RATE_LIMITED.
 * When Redis cannot be reached the request goes through (logged, at most every 30 s): an outage of the
 * counter must not take the API down with it; /readyz reports Redis separately.
 */
export function rateLimit(options: RateLimitOptions) {
  const { limit, windowSeconds } = options;
  const counter = new RateLimiterRedis({ storeClient: options.redis, keyPrefix: `${options.prefix}:api:ratelimit:${options.scope}`, points: limit, duration: windowSeconds });
  const answers = options.answers ?? graphqlAnswers(limit, windowSeconds);
  let lastWarning = 0;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (limit === 0) return next();
    const who = await options.keyOf(req, res);
    let counted: RateLimiterRes;
    try {
      counted = await counter.consume(who);
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) {
        options.onRejected?.(options.scope);
        return answers.refused(res, outcome);
      }
      if (Date.now() - lastWarning > 30_000) {
        lastWarning = Date.now();
        requestLogger(res).warn({ err: outcome, scope: options.scope }, 'rate limiter cannot reach Redis: requests are not limited meanwhile');
      }
      return next();
    }
    answers.counted(res, counted);
    next();
  };
}

/** The GraphQL API's answers: RateLimit-* headers, and 429 with Retry-After and a GraphQL-shaped body whose code is RATE_LIMITED. */
function graphqlAnswers(limit: number, windowSeconds: number): LimitAnswers {
  const setLimitHeaders = (res: Response, counted: RateLimiterRes): void => {
    res.setHeader('RateLimit-Limit', String(limit));
    res.setHeader('RateLimit-Remaining', String(counted.remainingPoints));
  };
  return {
    counted: setLimitHeaders,
    refused(res, refusal) {
      const retryAfter = retryAfterSeconds(refusal);
      setLimitHeaders(res, refusal);
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
    },
  };
}

/** The client's IP as Express sees it (X-Forwarded-For is trusted only per TRUST_PROXY). */
export const clientIp = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';
