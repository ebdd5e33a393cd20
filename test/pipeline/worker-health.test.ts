import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/prometheus.js';
import { spawnService, type ServiceProcess } from '../support/worker-process.js';
import { startPipeline, type Pipeline } from './pipeline-harness.js';

let pipeline: Pipeline;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  pipeline = await startPipeline('workerhealth', { users: 1 });
}, 60_000);
afterEach(async () => {
  await Promise.all(started.splice(0).map((worker) => worker.stop('SIGKILL')));
});
afterAll(() => pipeline?.close());

async function startWorker(env: Record<string, string>): Promise<{ worker: ServiceProcess; probe: (path: string) => Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> }> {
  const worker = spawnService('worker', { ...pipeline.serviceEnv(), ...env });
  started.push(worker);
  const ready = JSON.parse(await worker.waitForLine(/"msg":"worker ready"/, 30_000)) as { metrics: string };
  const base = new URL(ready.metrics).origin;
  const probe = async (path: string) => {
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5_000) });
    return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string> } };
  };
  return { worker, probe };
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch((error: Error) => ({ error: error.message }) as T);
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A Redis of this test's own on a free port, so that it can be stopped and started again. */
async function startOwnRedis(port: number, dir: string): Promise<ChildProcess> {
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await fetch(`http://127.0.0.1:${port}`).then(() => true, (error: Error & { cause?: { code?: string } }) => error.cause?.code !== 'ECONNREFUSED'))) {
    if (Date.now() > deadline) throw new Error('redis-server did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return redis;
}

const stopProcess = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe('the worker’s probes', () => {
  it('are ready and live while it works, and liveness fails after its event loop was blocked, then recovers', async () => {
    const { worker, probe } = await startWorker({ WORKER_LIVENESS_MAX_BLOCK_SECONDS: '1' });
    expect(await probe('/healthz')).toEqual({ status: 200, body: { status: 'ok', checks: { eventLoop: 'ok', redis: 'ok' } } });
    expect(await probe('/readyz')).toEqual({ status: 200, body: { status: 'ready', checks: { postgres: 'ok', redis: 'ok' } } });

    // Stopped for 3 s, the process's timers fire late by as much as if a job had held the loop.
    worker.child.kill('SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    worker.child.kill('SIGCONT');
    const blocked = await eventually(() => probe('/healthz'), (answer) => answer.status === 503, 'liveness to fail');
    expect(blocked.body.status).toBe('unhealthy');
    expect(blocked.body.checks.eventLoop).toMatch(/^blocked for \d+ ms/);
    expect(blocked.body.checks.redis).toBe('ok');
    // The log line travels through a pipe, the probe's answer through a socket: either may arrive first.
    await eventually(async () => worker.lines.some((line) => line.includes('the event loop was blocked')), (logged) => logged, 'the blocked event loop to be logged');
    // Reported for as long as the block lasted, then healthy again.
    await eventually(() => probe('/healthz'), (answer) => answer.status === 200, 'liveness to recover');
  }, 60_000);

  it('fail liveness and readiness when Redis has been lost longer than the threshold, and recover when it is back', async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'playlog-redis-'));
    let redis = await startOwnRedis(port, dir);
    try {
      const { probe } = await startWorker({ REDIS_URL: `redis://127.0.0.1:${port}`, WORKER_LIVENESS_REDIS_DOWN_SECONDS: '2' });
      expect((await probe('/healthz')).status).toBe(200);

      await stopProcess(redis);
      // Within the threshold: still live, reconnecting; not ready.
      const reconnecting = await eventually(() => probe('/healthz'), (answer) => answer.body.checks?.redis?.startsWith('reconnecting') ?? false, 'reconnecting');
      expect(reconnecting.status).toBe(200);
      const notReady = await probe('/readyz');
      expect(notReady.status).toBe(503);
      expect(notReady.body.checks.redis).toMatch(/^down: /);
      const lost = await eventually(() => probe('/healthz'), (answer) => answer.status === 503, 'liveness to fail');
      expect(lost.body.checks.redis).toMatch(/^down for \d+ s \(limit 2 s\)$/);

      redis = await startOwnRedis(port, dir);
      await eventually(() => probe('/healthz'), (answer) => answer.status === 200, 'liveness to recover', 30_000);
      expect((await probe('/readyz')).status).toBe(200);
    } finally {
      await Promise.all(started.splice(0).map((worker) => worker.stop('SIGKILL')));
      await stopProcess(redis);
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
