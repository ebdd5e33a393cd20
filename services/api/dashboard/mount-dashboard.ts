import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type express from 'express';
import type { RegisteredQueue } from '../../shared/jobs/job-registry.js';
import type { Logger } from '../../shared/logging/logger.js';
import { basicAuth } from './basic-auth.js';

export interface DashboardOptions {
  /** The queues to show: every queue of the job registry (`openQueues(...).all()`). */
  queues: Array<{ definition: RegisteredQueue; queue: Queue }>;
  /** Where to mount it, e.g. `/admin/queues` (DASHBOARD_PATH). */
  basePath: string;
  /** ADMIN_USERNAME */
  username: string;
  /** ADMIN_PASSWORD; without one the dashboard is not mounted at all. */
  password: string | undefined;
  logger?: Logger;
}

/**
 * Mounts the BullMQ dashboard (bull-board) behind HTTP basic auth: operators see every queue's waiting,
 * delayed, active, completed and failed jobs (each failed set is a dead-letter queue) and retry or remove them.
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
  app.use(basePath, basicAuth({ username: options.username, password: options.password, realm: 'Playlog job dashboard' }), serverAdapter.getRouter());
  options.logger?.info({ path: basePath, username: options.username }, 'job dashboard mounted');
  return true;
}
