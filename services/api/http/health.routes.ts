import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { MikroORM } from '../../features/open-orm.js';
import type { Logger } from '../../shared/logging/logger.js';
import { checkDependency as check } from '../../shared/runtime/check-dependency.js';

export interface HealthDeps {
  orm: MikroORM;
  redis: Redis;
  /** True once shutdown began: readiness turns false so load balancers stop sending requests. */
  isStopping: () => boolean;
  logger: Logger;
  timeoutMs?: number;
}

/** What the API cannot do while Redis is away (history, account reads and deletion still work). */
export const NEEDS_REDIS = ['login', 'sync', 'imports', 'rate limits'] as const;

/**
 * `GET /healthz`: the process answers (liveness; it checks nothing else, so a database outage does not
 * get the pods restarted).
 *
 * `GET /readyz`: whether the API can do its main job, serving histories, which needs Postgres only.
 * Postgres down (or no answer within the timeout): 503, so traffic goes elsewhere until it is back.
 * Redis down: still 200, with `status: degraded` and what does not work meanwhile (logins, polls on
 * demand, imports; rate limits let requests through); the change is logged once each way.
 */
export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();
  const timeoutMs = deps.timeoutMs ?? 2_000;
  let redisWasDown = false;

  router.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store').json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (deps.isStopping()) {
      res.status(503).json({ status: 'stopping', checks: {} });
      return;
    }
    const [postgres, redis] = await Promise.all([
      check(async () => {
        const connection = await deps.orm.checkConnection();
        if (!connection.ok) throw connection.error ?? new Error(connection.reason);
      }, timeoutMs),
      check(() => deps.redis.ping(), timeoutMs),
    ]);
    const redisDown = redis !== 'ok';
    if (redisDown !== redisWasDown) {
      redisWasDown = redisDown;
      if (redisDown) deps.logger.warn({ redis, unavailable: NEEDS_REDIS }, `Redis does not answer: the API serves histories, but not ${NEEDS_REDIS.join(', ')}`);
      else deps.logger.info('Redis answers again: the API is fully available');
    }
    if (postgres !== 'ok') {
      res.status(503).json({ status: 'unavailable', checks: { postgres, redis } });
      return;
    }
    res.status(200).json(redisDown ? { status: 'degraded', checks: { postgres, redis }, unavailable: NEEDS_REDIS } : { status: 'ready', checks: { postgres, redis } });
  });

  return router;
}
