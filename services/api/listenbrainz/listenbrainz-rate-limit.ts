import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { hashApiToken } from '../../features/listenbrainz/api-token-secret.js';
import type { Logger } from '../../shared/logging/logger.js';
import { requestLogger } from '../http/request-context.js';
import { presentedToken } from './presented-token.js';
import { sendListenBrainzError } from './listenbrainz-reply.js';

export interface ListenBrainzRateLimitOptions {
  redis: Redis;
  prefix: string;
  /** Requests per window per token (per client IP without one); 0 disables the limit. */
  limit: number;
  windowSeconds: number;
  clientIp: (req: Request) => string;
  logger: Logger;
  onRejected?: () => void;
}

/**
 * ListenBrainz's rate limit as players expect it: counted per token (per IP without one), every answer
 * carrying X-RateLimit-Limit, -Remaining, -Reset-In (seconds until the window ends) and -Reset (when, in
 * Unix seconds), and 429 with Retry-After once the window's requests are spent. Players such as
 * liblistenbrainz wait Reset-In before trying again. Redis out of reach: requests go through (logged),
 * as the API's other limits.
 */
export function listenBrainzRateLimit(options: ListenBrainzRateLimitOptions) {
  const counter = new RateLimiterRedis({ storeClient: options.redis, keyPrefix: `${options.prefix}:api:ratelimit:listenbrainz`, points: options.limit, duration: options.windowSeconds });
  let lastWarning = 0;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (options.limit === 0) return next();
    const token = presentedToken(req, { queryParameter: true });
    // By the token's hash: the limiter's keys in Redis must not be usable tokens.
    const who = token ? `token:${hashApiToken(token)}` : `ip:${options.clientIp(req)}`;
    try {
      setHeaders(res, await counter.consume(who));
      next();
    } catch (outcome) {
      if (outcome instanceof RateLimiterRes) {
        setHeaders(res, outcome);
        // The standard header too: Python players (liblistenbrainz, Music Assistant) retry a 429 through urllib3, at once unless it says how long to wait.
        res.setHeader('Retry-After', String(resetIn(outcome)));
        options.onRejected?.();
        return sendListenBrainzError(res, 429, `Too many requests: at most ${options.limit} per ${options.windowSeconds} s. Wait ${resetIn(outcome)} s (X-RateLimit-Reset-In).`);
      }
      if (Date.now() - lastWarning > 30_000) {
        lastWarning = Date.now();
        requestLogger(res).warn({ err: outcome }, 'ListenBrainz rate limiter cannot reach Redis: requests are not limited meanwhile');
      }
      next();
    }
  };

  function setHeaders(res: Response, counted: RateLimiterRes): void {
    const seconds = resetIn(counted);
    res.setHeader('X-RateLimit-Limit', String(options.limit));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, counted.remainingPoints)));
    res.setHeader('X-RateLimit-Reset-In', String(seconds));
    // The second the window ends, rounded up: a player waiting until then never arrives early.
    res.setHeader('X-RateLimit-Reset', String(Math.ceil((Date.now() + counted.msBeforeNext) / 1000)));
  }
}

/** Whole seconds until the window ends: never 0, which would tell a player to retry at once. */
const resetIn = (counted: RateLimiterRes): number => Math.max(1, Math.ceil(counted.msBeforeNext / 1000));
