import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { Request } from 'express';
import type express from 'express';
import type { Redis } from 'ioredis';
import type { RegisteredQueue } from '../../shared/jobs/job-registry.js';
import type { Logger } from '../../shared/logging/logger.js';
import { basicAuth } from './basic-auth.js';
import { LoginAttempts } from './login-attempts.js';
import { sameOriginWrites } from './same-origin-writes.js';

export interface DashboardOptions {
  /** The queues to show: every queue of the job registry (`openQueues(...).all()`). */
  queues: Array<{ definition: RegisteredQueue; queue: Queue }>;
  /** Where to mount it, e.g. `/admin/queues` (DASHBOARD_PATH). */
  basePath: string;
  /** ADMIN_USERNAME */
  username: string;
  /** ADMIN_PASSWORD; without one the dashboard is not mounted at all. */
  password: string | undefined;
  /** Where failed logins are counted, shared by every replica. */
  redis: Redis;
  /** QUEUE_PREFIX */
  prefix: string;
  /** DASHBOARD_LOGIN_ATTEMPTS and DASHBOARD_LOGIN_WINDOW_SECONDS. */
  loginAttempts: { limit: number; windowSeconds: number };
  /** Who a request comes from, as the failed-login limit counts them (the client IP). */
  clientOf: (req: Request) => string;
  /** PUBLIC_URL: an origin changes may come from besides the request's own host. */
  publicUrl?: string | undefined;
  logger?: Logger;
}

/**
 * Mounts the BullMQ dashboard (bull-board) behind HTTP basic auth: operators see every queue's waiting,
 * delayed, active, completed and failed jobs (each failed set is a dead-letter queue) and retry or remove them.
 * Failed logins are limited per client, and changes requested by another site's page are refused.
 * Returns whether it was mounted. No password configured: nothing is mounted, so the path answers
 * whatever the app answers for unknown paths, rather than an open dashboard.
 */
export function mountDashboard(app: express.Application, options: DashboardOptions): boolean {
  const basePath = options.basePath.replace(/\/+$/, '') || '/';
  if (!options.password) {
    options.logger?.warn({ path: basePath }, 'job dashboard not mounted: set ADMIN_PASSWORD to enable it');
    return false;
  }
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: options.queues.map(({ definition, queue }) => new BullMQAdapter(queue, { allowRetries: true, description: definition.description })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Playlog jobs' } },
  });
  const attempts = new LoginAttempts({ redis: options.redis, prefix: options.prefix, ...options.loginAttempts });
  app.use(
    basePath,
    sameOriginWrites({ publicUrl: options.publicUrl }),
    basicAuth({ username: options.username, password: options.password, realm: 'Playlog job dashboard', attempts, clientOf: options.clientOf, logger: options.logger }),
    serverAdapter.getRouter(),
  );
  options.logger?.info({ path: basePath, username: options.username }, 'job dashboard mounted');
  return true;
}
