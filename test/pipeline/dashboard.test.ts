import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnrecoverableError, Worker, type Queue } from 'bullmq';
import express from 'express';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountDashboard } from '../../services/api/dashboard/mount-dashboard.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import type { PollJobData } from '../../services/shared/queue/poll-jobs.js';
import { createPollQueue } from '../../services/shared/queue/poll-queue.js';
import { createRedisConnection, waitUntilReady } from '../../services/shared/queue/redis-connection.js';
import { TEST_REDIS_URL, uniqueQueuePrefix } from '../support/test-env.js';

const PASSWORD = 'correct horse battery staple';
const BASE = '/admin/queues';
let redis: Redis;
let queue: Queue<PollJobData>;
let server: Server;
let url: string;
const logLines: string[] = [];

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const get = (path: string, authorization?: string) => fetch(`${url}${path}`, { headers: authorization ? { authorization } : {} });

beforeAll(async () => {
  redis = createRedisConnection(TEST_REDIS_URL, 'producer');
  await waitUntilReady(redis);
  queue = createPollQueue(redis, uniqueQueuePrefix('dashboard'));
  const app = express();
  const logger = createLogger({ service: 'api', destination: { write: (line: string) => void logLines.push(line) } });
  expect(mountDashboard(app, { queues: [queue], basePath: BASE, username: 'admin', password: PASSWORD, logger })).toBe(true);
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await queue?.obliterate({ force: true });
  await queue?.close();
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
    const body = (await api.json()) as { queues: Array<{ name: string }> };
    expect(body.queues.map((q) => q.name)).toEqual(['poll']);
  });

  it('lets the admin retry a failed job (the dead-letter queue)', async () => {
    // A worker fails it, as a poll that exhausted its attempts would.
    const connection = createRedisConnection(TEST_REDIS_URL, 'worker');
    const worker = new Worker(queue.name, async () => {
      throw new UnrecoverableError('Spotify GET /me/player/recently-played answered 503 (server error)');
    }, { connection, prefix: queue.opts.prefix });
    const failedOnce = new Promise((resolve) => worker.once('failed', resolve));
    await queue.add('poll-user', { userId: 'user-1', reason: 'manual' }, { jobId: 'poll-user-1-manual-1' });
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
    expect(mountDashboard(app, { queues: [queue], basePath: BASE, username: 'admin', password: undefined, logger })).toBe(false);
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

  it('never logs the password', () => {
    expect(logLines.join('')).not.toContain(PASSWORD);
  });
});
