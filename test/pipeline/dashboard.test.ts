import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnrecoverableError, Worker, type Queue } from 'bullmq';
import express from 'express';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountDashboard } from '../../services/api/dashboard/mount-dashboard.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import type { PollJobData } from '../../services/shared/jobs/job-registry.js';
import { JOB_REGISTRY } from '../../services/shared/jobs/job-registry.js';
import { openQueues, type Queues } from '../../services/shared/jobs/open-queues.js';
import { createRedisConnection, waitUntilReady } from '../../services/shared/jobs/redis-connection.js';
import { TEST_REDIS_URL, uniqueQueuePrefix } from '../support/test-env.js';

const PASSWORD = 'correct horse battery staple';
const BASE = '/admin/queues';
let redis: Redis;
let queues: Queues;
let queue: Queue<PollJobData>;
let server: Server;
let url: string;
const logLines: string[] = [];

const prefix = uniqueQueuePrefix('dashboard');
const dashboardDeps = () => ({
  queues: queues.all(),
  basePath: BASE,
  username: 'admin',
  redis,
  prefix,
  loginAttempts: { limit: 10, windowSeconds: 60 },
  clientOf: () => 'test-client',
});
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const get = (path: string, authorization?: string) => fetch(`${url}${path}`, { headers: authorization ? { authorization } : {} });

beforeAll(async () => {
  redis = createRedisConnection(TEST_REDIS_URL, 'producer');
  await waitUntilReady(redis);
  queues = openQueues(redis, prefix);
  queue = queues.poll;
  const app = express();
  const logger = createLogger({ service: 'api', destination: { write: (line: string) => void logLines.push(line) } });
  expect(mountDashboard(app, { ...dashboardDeps(), password: PASSWORD, logger })).toBe(true);
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  for (const { queue: each } of queues?.all() ?? []) await each.obliterate({ force: true });
  await queues?.close();
  const counters = await redis.keys(`${prefix}:api:dashboard-login-failures:*`);
  if (counters.length > 0) await redis.del(...counters);
  redis?.disconnect();
});

describe('the job dashboard', () => {
  it('asks for credentials: 401 with a Basic challenge without them or with wrong ones', async () => {
    for (const authorization of [undefined, basic('admin', 'wrong'), basic('root', PASSWORD), 'Bearer something', basic('admin', '')]) {
      const response = await get(BASE, authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Basic realm="Playlog job dashboard", charset="UTF-8"');
    }
    expect((await get(`${BASE}/api/queues`)).status).toBe(401);
  });

  it('serves the board and its API to the admin', async () => {
    const page = await get(BASE, basic('admin', PASSWORD));
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const api = await get(`${BASE}/api/queues`, basic('admin', PASSWORD));
    expect(api.status).toBe(200);
    // Every queue of the job registry, each with what its jobs are and what a failed one means.
    const body = (await api.json()) as { queues: Array<{ name: string; description?: string }> };
    expect(body.queues.map((q) => q.name).sort()).toEqual(JOB_REGISTRY.map((definition) => definition.name).sort());
    expect(body.queues.map((q) => q.name).sort()).toEqual(['export', 'import', 'poll']);
    for (const shown of body.queues) expect(shown.description).toBe(JOB_REGISTRY.find((definition) => definition.name === shown.name)!.description);
  });

  it('lets the admin retry a failed job (the dead-letter queue)', async () => {
    // A worker fails it, as a poll that exhausted its attempts would.
    const connection = createRedisConnection(TEST_REDIS_URL, 'worker');
    const worker = new Worker(queue.name, async () => {
      throw new UnrecoverableError('Spotify GET /me/player/recently-played answered 503 (server error)');
    }, { connection, prefix: queue.opts.prefix });
    const failedOnce = new Promise((resolve) => worker.once('failed', resolve));
    await queue.add('poll-user', { userId: '00000000-0000-4000-8000-000000000001', reason: 'manual' }, { jobId: 'poll-user-1-manual-1' });
    await failedOnce;
    await worker.close();
    connection.disconnect();
    const job = (await queue.getJob('poll-user-1-manual-1'))!;
    expect(await job.getState()).toBe('failed');

    const refused = await fetch(`${url}${BASE}/api/queues/poll/${job.id}/retry`, { method: 'PUT' });
    expect(refused.status).toBe(401);
    expect(await job.getState()).toBe('failed');

    const retried = await fetch(`${url}${BASE}/api/queues/poll/${job.id}/retry`, { method: 'PUT', headers: { authorization: basic('admin', PASSWORD) } });
    expect(retried.status).toBe(204);
    expect(await (await queue.getJob(job.id!))!.getState()).toBe('waiting');
  });

  it('is not mounted at all without a password, and says so in the log', async () => {
    const app = express();
    const lines: string[] = [];
    const logger = createLogger({ service: 'api', destination: { write: (line: string) => void lines.push(line) } });
    expect(mountDashboard(app, { ...dashboardDeps(), password: undefined, logger })).toBe(false);
    const bare = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    try {
      const response = await fetch(`http://127.0.0.1:${(bare.address() as AddressInfo).port}${BASE}/api/queues`);
      expect(response.status).toBe(404);
      expect(lines.join('')).toMatch(/job dashboard not mounted: set ADMIN_PASSWORD to enable it/);
    } finally {
      await new Promise((resolve) => bare.close(resolve));
    }
  });

  it('refuses every login, right or wrong, with 503 while its failed-login counter in Redis cannot be reached', async () => {
    // Nobody listens on port 1; the API's connections queue nothing offline, so each count fails at once.
    const unreachable = createRedisConnection('redis://127.0.0.1:1', 'producer', { retryStrategy: () => null });
    unreachable.on('error', () => {});
    const app = express();
    const lines: string[] = [];
    const logger = createLogger({ service: 'api', destination: { write: (line: string) => void lines.push(line) } });
    expect(mountDashboard(app, { ...dashboardDeps(), redis: unreachable, password: PASSWORD, logger })).toBe(true);
    const cut = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    try {
      for (const authorization of [basic('admin', 'a guess'), basic('admin', PASSWORD)]) {
        const response = await fetch(`http://127.0.0.1:${(cut.address() as AddressInfo).port}${BASE}/api/queues`, { headers: { authorization } });
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('5');
        expect(await response.text()).toMatch(/cannot check logins right now/);
      }
      expect(lines.join('')).toMatch(/failed-login counter in Redis cannot be reached/);
    } finally {
      await new Promise((resolve) => cut.close(resolve));
      unreachable.disconnect();
    }
  });

  it('never logs the password', () => {
    expect(logLines.join('')).not.toContain(PASSWORD);
  });
});
