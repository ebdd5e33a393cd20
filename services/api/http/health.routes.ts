import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { MikroORM } from '../../shared/db/open-orm.js';

export interface HealthDeps {
  orm: MikroORM;
  redis: Redis;
  /** True once shutdown began: readiness turns false so load balancers stop sending requests. */
  isStopping: () => boolean;
  timeoutMs?: number;
}

/**
 * `GET /healthz`: the process answers (liveness; it checks nothing else, so a database outage does not
 * get the pods restarted). `GET /readyz`: Postgres answers `select 1` and Redis answers PING, each
 * within a timeout; 503 names what failed (readiness: traffic is withheld until both are back).
 */
export function healthRoutes(deps: HealthDeps): Router {
  const router = Router();
  const timeoutMs = deps.timeoutMs ?? 2_000;

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
      check(() => deps.orm.em.fork().getConnection().execute('select 1'), timeoutMs),
      check(() => deps.redis.ping(), timeoutMs),
    ]);
    const ready = postgres === 'ok' && redis === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: { postgres, redis } });
  });

  return router;
}

/** "ok", or a short reason (no connection strings). */
async function check(probe: () => Promise<unknown>, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
    return `down: ${code || (error instanceof Error ? error.message.slice(0, 120) : 'unreachable')}`;
  } finally {
    clearTimeout(timer);
  }
}
