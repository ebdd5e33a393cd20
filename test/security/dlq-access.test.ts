import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueue } from '../../services/shared/jobs/open-queues.js';
import { pollQueue as pollQueueDefinition } from '../../services/shared/jobs/job-registry.js';
import { pollJob } from '../../services/features/polling/poll-jobs.js';
import { PLAYLOG } from '../support/playlog.js';

/**
 * The DLQ CLI's access control is Redis's own (docs/pipeline.md): with a Redis that requires a password,
 * as in production, the CLI without it (or with a wrong one) is refused and shows no job; with it, it works.
 * A Redis of this file's own, since the shared one has no password.
 */
const PASSWORD = 'dlq-redis-password-0123456789';
const PREFIX = 'dlqaccess';
let redisServer: ChildProcess;
let port: number;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function dlq(redisUrl: string, ...args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', [PLAYLOG, 'dlq', ...args], {
      env: { PATH: process.env.PATH, REDIS_URL: redisUrl, QUEUE_PREFIX: PREFIX, LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

beforeAll(async () => {
  port = await freePort();
  redisServer = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', PASSWORD], { stdio: 'ignore' });
  const admin = new Redis(`redis://:${PASSWORD}@127.0.0.1:${port}`, { maxRetriesPerRequest: null });
  admin.on('error', () => undefined); // refused until redis-server listens; it retries
  for (let i = 0; i < 50 && admin.status !== 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  // One job in the dead-letter queue, failed the way the worker fails a job.
  const queue = openQueue(pollQueueDefinition, admin, PREFIX);
  const job = pollJob('00000000-0000-4000-8000-000000000001', 'schedule', { now: Date.UTC(2026, 10, 23) });
  await queue.add(job.name, job.data, { ...job.opts, attempts: 1 });
  const worker = new Worker(queue.name, async () => {
    throw new UnrecoverableError('The user must log in again: test failure');
  }, { connection: admin.duplicate(), prefix: PREFIX });
  await new Promise<void>((resolve) => worker.on('failed', () => resolve()));
  await worker.close();
  await queue.close();
  admin.disconnect();
}, 30_000);
afterAll(() => {
  redisServer?.kill('SIGKILL');
});

describe('the dead-letter queue CLI', () => {
  it('is refused by a Redis that wants a password when it has none, and shows no job', async () => {
    const result = await dlq(`redis://127.0.0.1:${port}`, 'list');
    expect(result.code).toBe(1);
    expect(result.output).not.toContain('00000000-0000-4000-8000-000000000001');
    expect(result.output).toMatch(/refused to authenticate: NOAUTH/);
  }, 20_000);

  it('is refused with a wrong password, which it does not print', async () => {
    const result = await dlq(`redis://:wrong-password-123@127.0.0.1:${port}`, 'retry-all');
    expect(result.code).toBe(1);
    expect(result.output).not.toContain('00000000-0000-4000-8000-000000000001');
    expect(result.output).toMatch(/refused to authenticate: WRONGPASS/);
    expect(result.output).not.toContain('wrong-password-123');
  }, 20_000);

  it('works for whoever has the password', async () => {
    const result = await dlq(`redis://:${PASSWORD}@127.0.0.1:${port}`, 'list');
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('00000000-0000-4000-8000-000000000001');
    expect(result.output).toContain('The user must log in again');
    expect(result.output).not.toContain(PASSWORD);
  }, 20_000);
});
