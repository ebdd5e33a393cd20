import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnService, type ServiceProcess } from '../support/worker-process.js';
import { emulatorSecrets, startPipeline, type Pipeline } from './pipeline-harness.js';

let pipeline: Pipeline;
const started: ServiceProcess[] = [];
const USERS = 6;

beforeAll(async () => {
  // Every Web API answer takes a while, so jobs are caught in the middle.
  pipeline = await startPipeline('workerproc', { users: USERS, faults: { latencyMs: 800 } });
  for (const user of pipeline.emulator.users()) await pipeline.login(user.id);
}, 60_000);
afterEach(async () => {
  await Promise.all(started.splice(0).map((worker) => worker.stop('SIGKILL')));
});
afterAll(() => pipeline?.close());

function startWorker(env: Record<string, string> = {}): ServiceProcess {
  const worker = spawnService('worker', { ...pipeline.serviceEnv(), ...env });
  started.push(worker);
  return worker;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const polledLines = (worker: ServiceProcess) => worker.logs().filter((line) => line.status === 'polled');

async function expectEveryUsersPlays(): Promise<void> {
  for (const [spotifyId, userId] of pipeline.users) {
    const stored = await pipeline.storedPlays(userId);
    expect(stored, `plays of ${spotifyId}`).toEqual(pipeline.retrievable(spotifyId));
    expect(new Set(stored).size).toBe(stored.length);
  }
}

describe('a worker process', () => {
  it('killed with SIGKILL in the middle of jobs loses nothing: a new worker runs them again, without duplicates', async () => {
    await pipeline.schedule();
    const first = startWorker({ WORKER_CONCURRENCY: '3' });
    // Some jobs done, others waiting on Spotify's answer: kill it there.
    await waitFor(async () => polledLines(first).length >= 3 && (await pipeline.queue.getActiveCount()) > 0, 'a first batch done and a second one running');
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    const activeAtKill = await pipeline.queue.getActiveCount();
    expect(activeAtKill).toBeGreaterThan(0);

    const second = startWorker({ WORKER_CONCURRENCY: '3' });
    await pipeline.waitUntilIdle(30_000);
    await second.waitForLine(/job stalled/);
    expect(await pipeline.queue.getFailedCount()).toBe(0);
    expect(await pipeline.queue.getCompletedCount()).toBe(USERS);
    await expectEveryUsersPlays();
    expect(await second.stop('SIGTERM')).toBe(0);
  });

  // On a loaded machine the jobs can be active before the process has finished starting (and logged
  // "worker ready"): the signal then lands during start-up, which must still stop gracefully.
  it('on SIGTERM finishes its active jobs and exits within the grace period, leaving no job active', async () => {
    await pipeline.queue.obliterate({ force: true });
    await pipeline.schedule({ now: Date.now() + 300_000 });
    const worker = startWorker({ WORKER_CONCURRENCY: '6', WORKER_SHUTDOWN_GRACE_MS: '8000' });
    await waitFor(async () => (await pipeline.queue.getActiveCount()) === USERS, 'every job active');

    const signalledAt = Date.now();
    expect(await worker.stop('SIGTERM', 20_000)).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(8_000);
    expect(await pipeline.queue.getActiveCount()).toBe(0);
    expect(await pipeline.queue.getCompletedCount()).toBe(USERS);
    expect(worker.lines.join('\n')).toMatch(/worker stopped/);
    // The worker's own log lines carry no token or client secret.
    const logs = worker.lines.join('\n');
    for (const secret of emulatorSecrets(pipeline.emulator)) expect(logs.includes(secret)).toBe(false);
  });

  it('past the grace period, hands its unfinished jobs back to the queue and exits; another worker completes them', async () => {
    await pipeline.queue.obliterate({ force: true });
    pipeline.emulator.faults.update({ latencyMs: 2_500 });
    await pipeline.schedule({ now: Date.now() + 600_000 });
    const slow = startWorker({ WORKER_CONCURRENCY: '6', WORKER_SHUTDOWN_GRACE_MS: '300' });
    await waitFor(async () => (await pipeline.queue.getActiveCount()) === USERS, 'every job active');

    const signalledAt = Date.now();
    expect(await slow.stop('SIGTERM')).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(2_000);
    expect(slow.lines.join('\n')).toMatch(/grace period over with jobs still active: 6 put back in the queue/);
    expect(await pipeline.queue.getActiveCount()).toBe(0);

    pipeline.emulator.faults.update({ latencyMs: 0 });
    startWorker();
    await pipeline.waitUntilIdle(30_000);
    expect(await pipeline.queue.getFailedCount()).toBe(0);
    await expectEveryUsersPlays();
  });
});
