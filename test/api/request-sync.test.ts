import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScheduler } from '../../services/scheduler/run-scheduler.js';
import { TokenCipher } from '../../services/shared/crypto/token-cipher.js';
import { pollQueue } from '../../services/shared/jobs/job-registry.js';
import { openQueues, type Queues } from '../../services/shared/jobs/open-queues.js';
import { createRedisConnection } from '../../services/shared/jobs/redis-connection.js';
import { createQueueWorker } from '../../services/worker/jobs/queue-worker.js';
import { pollHandler } from '../../services/worker/poll/poll.handler.js';
import { FAST_WORKER_SETTINGS } from '../pipeline/pipeline-harness.js';
import { spotifyClientsFor } from '../support/emulator.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { startApiHarness, type ApiHarness, type LoggedIn } from './api-harness.js';

/** The defaults a deployment polls with: every user every 5 minutes, spread over the whole interval. */
const INTERVAL_MS = 300_000;
const SPREAD_MS = 300_000;

let h: ApiHarness;
let user: LoggedIn;
let worker: Worker;
let connection: Redis;
let workerQueues: Queues;

beforeAll(async () => {
  // A listener at the emulator's busiest, so a new play ends every minute or so of emulator time.
  h = await startApiHarness({ label: 'api_request_sync', emulator: { users: 1, playsPerHour: [60, 60] } });
  user = await h.login(h.emulator.users()[0]!.id);
  connection = createRedisConnection(TEST_REDIS_URL, 'worker');
  workerQueues = openQueues(connection, h.config.QUEUE_PREFIX);
  const { oauth, api } = spotifyClientsFor(h.emulator);
  ({ worker } = createQueueWorker(
    pollQueue,
    pollHandler({ cipher: new TokenCipher(h.config.TOKEN_ENCRYPTION_KEYS), api, oauth, tokens: { refreshMarginMs: 60_000, lifetimeDays: 182, warningDays: 14 }, maxPages: 10, now: Date.now }),
    { orm: h.db.orm, connection, logger: h.logs.logger, pauseSpotify: (ms) => workerQueues.poll.rateLimit(ms) },
    { ...FAST_WORKER_SETTINGS, prefix: h.config.QUEUE_PREFIX },
  ));
  void worker.run();
  await worker.waitUntilReady();
  // The poll the login asked for has run: from here on, only scheduled polls and requestSync.
  await waitFor(async () => (await h.queue.getCompletedCount()) >= 1, 10_000);
}, 60_000);
afterAll(async () => {
  await worker?.close();
  await workerQueues?.close();
  connection?.disconnect();
  await h?.stop();
});

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

const newestStored = async (): Promise<string | undefined> => {
  const page = await h
    .client(user.token)
    .request<{ listeningHistory: { edges: Array<{ node: { playedAt: string } }> } }>('{ listeningHistory(first: 1) { edges { node { playedAt } } } }');
  return page.listeningHistory.edges[0]?.node.playedAt;
};

/** Moves the emulator's clock until the listener has finished a play Playlog has not seen; returns when it ended. */
function playSomethingNew(): string {
  const before = h.emulator.groundTruth(user.spotifyUserId, 'retrievable').at(-1)?.played_at;
  for (let step = 0; step < 60; step++) {
    h.emulator.clock.advance(30_000);
    const newest = h.emulator.groundTruth(user.spotifyUserId, 'retrievable').filter((play) => play.counted).at(-1)?.played_at;
    if (newest && newest !== before) return newest;
  }
  throw new Error('the emulator’s listener played nothing new in 30 minutes of its time');
}

describe('requestSync', () => {
  it('makes a new play visible within 5 s, 20 times in a row, though the scheduled poll is minutes away', async () => {
    const seconds: number[] = [];
    for (let round = 1; round <= 20; round++) {
      const played = playSomethingNew();
      // This round's scheduled poll, as the CronJob adds it: delayed by the user's offset in the interval.
      const summary = await runScheduler({ orm: h.db.orm, queue: h.queue, redis: h.redis }, { intervalMs: INTERVAL_MS, spreadMs: SPREAD_MS, batchSize: 500, now: Date.now() + round * INTERVAL_MS }, h.logs.logger);
      expect(summary.enqueued).toBe(1);
      expect(await h.queue.getDelayedCount()).toBe(1);

      const asked = Date.now();
      const answer = await h.client(user.token).request<{ requestSync: { poll: string } }>('mutation { requestSync { poll } }');
      expect(answer.requestSync.poll).toBe('STARTED');
      const visible = await waitFor(async () => (await newestStored()) === new Date(played).toISOString(), 5_000);
      seconds.push((Date.now() - asked) / 1000);
      expect(visible, `round ${round}: the play that ended at ${played} is not visible 5 s after requestSync`).toBe(true);
      // The requested poll replaced the scheduled one: nothing is left waiting for minutes.
      expect(await h.queue.getDelayedCount()).toBe(0);
      await waitFor(async () => (await h.queue.getActiveCount()) === 0, 5_000);
    }
    expect(seconds).toHaveLength(20);
    expect(Math.max(...seconds)).toBeLessThan(5);
  }, 180_000);

  it('answers ALREADY_RUNNING while a poll runs, and still reads plays that ended meanwhile', async () => {
    await worker.pause();
    const played = playSomethingNew();
    await h.client(user.token).request('mutation { requestSync { poll } }');
    // Take the job as a worker would, and hold it: a poll is running.
    const running = await h.queue.getWaiting();
    expect(running).toHaveLength(1);
    const holder = createRedisConnection(TEST_REDIS_URL, 'worker');
    let release!: () => void;
    let closeHold!: () => Promise<void>;
    const started = new Promise<void>((resolve) => {
      const hold = new Worker(
        pollQueue.name,
        async () => {
          resolve();
          await new Promise<void>((done) => (release = done));
        },
        { connection: holder, prefix: h.config.QUEUE_PREFIX, concurrency: 1 },
      );
      closeHold = () => hold.close();
    });
    await started;
    const answer = await h.client(user.token).request<{ requestSync: { poll: string } }>('mutation { requestSync { poll } }');
    expect(answer.requestSync.poll).toBe('ALREADY_RUNNING');
    release();
    await closeHold();
    holder.disconnect();
    // The follow-up poll BullMQ queued when the held one ended reads the new play.
    worker.resume();
    expect(await waitFor(async () => (await newestStored()) === new Date(played).toISOString(), 5_000)).toBe(true);
  }, 30_000);

  it('carries the request’s id into the poll job, so the worker’s lines of that poll name the request', async () => {
    const requestId = `sync-trace-${Date.now()}`;
    const client = new GraphQLClient(`${h.api.url}/graphql`, { headers: { authorization: `Bearer ${user.token}`, 'x-request-id': requestId } });
    await client.request('mutation { requestSync { poll } }');
    const linesOfRequest = () => h.logs.entries().filter((entry) => entry.requestId === requestId);
    expect(await waitFor(async () => linesOfRequest().some((entry) => String(entry.msg).startsWith('polled')), 10_000)).toBe(true);
    const polled = linesOfRequest().find((entry) => String(entry.msg).startsWith('polled'))!;
    expect(polled).toMatchObject({ userId: user.userId, pollReason: 'manual' });
    // The API's own line of the request carries the same id.
    expect(linesOfRequest().some((entry) => entry.msg === 'request' && entry.path === '/graphql')).toBe(true);
  }, 30_000);
});
