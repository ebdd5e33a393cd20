import type { Request, Response } from 'express';
import type { Redis } from 'ioredis';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import { hashApiToken } from '../../features/listenbrainz/api-token-secret.js';
import type { Logger } from '../../shared/logging/logger.js';
import { rateLimit, retryAfterSeconds, type LimitAnswers } from '../http/rate-limit.js';
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
 * ListenBrainz's rate limit as players expect it (the API's counter, rate-limit.ts): counted per token (per IP
 * without one), every answer carrying X-RateLimit-Limit, -Remaining, -Reset-In (seconds until the window ends)
 * and -Reset (when, in Unix seconds), and 429 with Retry-After once the window's requests are spent. Players
 * such as liblistenbrainz wait Reset-In before trying again. Redis out of reach: requests go through (logged),
 * as the API's other limits.
 */
export function listenBrainzRateLimit(options: ListenBrainzRateLimitOptions) {
  return rateLimit({
    redis: options.redis,
    prefix: options.prefix,
    scope: 'listenbrainz',
    limit: options.limit,
    windowSeconds: options.windowSeconds,
    // By the token's hash: the limiter's keys in Redis must not be usable tokens.
    keyOf: (req) => {
      const token = presentedToken(req, { queryParameter: true });
      return token ? `token:${hashApiToken(token)}` : `ip:${options.clientIp(req)}`;
    },
    logger: options.logger,
    onRejected: () => options.onRejected?.(),
    answers: listenBrainzAnswers(options.limit, options.windowSeconds),
  });
}

function listenBrainzAnswers(limit: number, windowSeconds: number): LimitAnswers {
  const setHeaders = (res: Response, counted: RateLimiterRes): void => {
    res.setHeader('X-RateLimit-Limit', String(limit));
    res.setHeader('X-RateLimit-Remaining', String(Math.max(0, counted.remainingPoints)));
    res.setHeader('X-RateLimit-Reset-In', String(retryAfterSeconds(counted)));
    // The second the window ends, rounded up: a player waiting until then never arrives early.
    res.setHeader('X-RateLimit-Reset', String(Math.ceil((Date.now() + counted.msBeforeNext) / 1000)));
  };
  return {
    counted: setHeaders,
    refused(res, refusal) {
      setHeaders(res, refusal);
      // The standard header too: Python players (liblistenbrainz, Music Assistant) retry a 429 through urllib3, at once unless it says how long to wait.
      res.setHeader('Retry-After', String(retryAfterSeconds(refusal)));
      sendListenBrainzError(res, 429, `Too many requests: at most ${limit} per ${windowSeconds} s. Wait ${retryAfterSeconds(refusal)} s (X-RateLimit-Reset-In).`);
    },
  };
}
