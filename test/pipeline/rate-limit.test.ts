import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpotifyApiClient } from '../../services/features/spotify/spotify-api.client.js';
import { TEST_EMULATOR_START } from '../support/emulator.js';
import { parsedLogs, startPipeline, type Pipeline } from './pipeline-harness.js';

interface Exchange {
  sentAt: number;
  answeredAt: number;
  status: number;
  retryAfterMs: number | null;
}

/** A Web API client that records when each request was sent and what came back. */
function recordingApi(pipeline: Pipeline, exchanges: Exchange[]): SpotifyApiClient {
  return new SpotifyApiClient({
    apiUrl: pipeline.emulator.apiUrl,
    timeoutMs: 5_000,
    fetch: async (input, init) => {
      const sentAt = Date.now();
      const response = await fetch(input, init);
      const retryAfter = response.headers.get('retry-after');
      exchanges.push({ sentAt, answeredAt: Date.now(), status: response.status, retryAfterMs: retryAfter === null ? null : Number(retryAfter) * 1000 });
      return response;
    },
  });
}

/**
 * Spotify's window at the moment of a poll: the latest 50 counted plays it had been told of (a play made
 * offline reaches it hours late), by played_at, up to the newest one stored.
 */
function windowUpTo(pipeline: Pipeline, spotifyId: string, newestMs: number): string[] {
  const now = pipeline.emulator.clock.now();
  return pipeline.emulator
    .groundTruth(spotifyId, newestMs - 48 * 3_600_000, now + 1)
    .filter((play) => play.counted && Date.parse(play.delivered_at) <= now && Date.parse(play.played_at) <= newestMs)
    .map((play) => `${play.played_at} ${play.track.id}`)
    .sort()
    .slice(-50);
}

describe('a 429 storm from the rolling rate limit', () => {
  let pipeline: Pipeline;
  const exchanges: Exchange[] = [];
  const USERS = 12;

  beforeAll(async () => {
    // The rate-limit window follows the emulator's clock, so this one runs in real time.
    pipeline = await startPipeline('ratelimit', {
      users: USERS,
      clock: { startAt: TEST_EMULATOR_START, frozen: false },
      faults: { rateLimitPerWindow: 6, rateLimitWindowMs: 2_000 },
    });
    for (const user of pipeline.emulator.users()) await pipeline.login(user.id);
    // Two workers: a 429 seen by one must hold back the other too.
    await pipeline.startWorker({ concurrency: 5, deps: { api: recordingApi(pipeline, exchanges) } });
    await pipeline.startWorker({ concurrency: 5, deps: { api: recordingApi(pipeline, exchanges) } });
  }, 60_000);
  afterAll(() => pipeline?.close());

  it('completes the cycle, pausing all workers for Retry-After, with no job failed and no attempt used', async () => {
    await pipeline.schedule();
    await pipeline.waitUntilIdle(60_000);

    const limited = exchanges.filter((exchange) => exchange.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(pipeline.emulator.stats.snapshot().faults.rate_limited).toBe(limited.length);
    expect(await pipeline.queue.getFailedCount()).toBe(0);
    const completed = await pipeline.queue.getCompleted();
    expect(completed).toHaveLength(USERS);
    // attemptsMade is 1 for a job that succeeded at its first counted attempt: the 429s did not count.
    expect(completed.map((job) => job.attemptsMade)).toEqual(completed.map(() => 1));

    // After a 429 saying "retry after R", no new request went out until R had passed. Requests of jobs
    // already running when the 429 arrived may still go out just after it, hence the 250 ms allowance.
    for (const hit of limited) {
      const tooEarly = exchanges.filter((other) => other.sentAt > hit.answeredAt + 250 && other.sentAt < hit.answeredAt + hit.retryAfterMs! - 100);
      expect(tooEarly, `requests within the Retry-After of a 429 answered at ${hit.answeredAt}`).toEqual([]);
    }
    const pauses = parsedLogs(pipeline.logLines).filter((line) => typeof line.msg === 'string' && line.msg.startsWith('Spotify rate limit: every Spotify call of the app paused'));
    expect(pauses.length).toBeGreaterThan(0);
    expect(pauses.every((line) => [1_000, 2_000].includes(line.pauseMs as number))).toBe(true);

    for (const [spotifyId, userId] of pipeline.users) {
      const stored = await pipeline.storedPlays(userId);
      const newest = Date.parse(stored[stored.length - 1]!.split(' ')[0]!);
      expect(stored, `plays of ${spotifyId}`).toEqual(windowUpTo(pipeline, spotifyId, newest));
    }
  });
});

describe('scripted 429s', () => {
  let pipeline: Pipeline;
  let spotifyId: string;
  let userId: string;

  beforeAll(async () => {
    pipeline = await startPipeline('quota', { users: 1 });
    spotifyId = pipeline.emulator.users()[0]!.id;
    userId = await pipeline.login(spotifyId);
    await pipeline.startWorker({ quotaPauseMs: 1_000 });
  }, 60_000);
  afterAll(() => pipeline?.close());

  it('waits out a Retry-After of 2 s and then stores the plays, without using an attempt', async () => {
    pipeline.emulator.faults.enqueue({ kind: 'rate_limited', retryAfterSeconds: 2 });
    const started = Date.now();
    await pipeline.schedule();
    await pipeline.waitUntilIdle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    const [job] = await pipeline.queue.getCompleted();
    expect(job?.attemptsMade).toBe(1);
    expect(await pipeline.storedPlays(userId)).toEqual(pipeline.retrievable(spotifyId));
  });

  it('pauses for at most WORKER_QUOTA_PAUSE_SECONDS when the quota is exhausted, and says so loudly', async () => {
    await pipeline.queue.obliterate({ force: true });
    pipeline.emulator.faults.enqueue({ kind: 'quota_exceeded', retryAfterSeconds: 3_600 });
    const started = Date.now();
    await pipeline.schedule({ now: Date.now() + 300_000 });
    await pipeline.waitUntilIdle();
    // Retry-After said an hour; the configured pause (1 s here) is shorter, so polling resumed after it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await pipeline.queue.getFailedCount()).toBe(0);
    const quotaLine = parsedLogs(pipeline.logLines).find((line) => typeof line.msg === 'string' && line.msg.includes('quota is exhausted'));
    expect(quotaLine).toMatchObject({ level: 50, pauseMs: 1_000 });
  });
});

describe('a 429 seen by one worker', () => {
  let pipeline: Pipeline;
  const exchanges: Exchange[] = [];

  beforeAll(async () => {
    // Every answer takes 100 ms, so a worker that was not held back would send several requests meanwhile.
    pipeline = await startPipeline('ratelimit2', { users: 8, faults: { latencyMs: 100 } });
    for (const user of pipeline.emulator.users()) await pipeline.login(user.id);
    await pipeline.startWorker({ concurrency: 1, deps: { api: recordingApi(pipeline, exchanges) } });
    await pipeline.startWorker({ concurrency: 1, deps: { api: recordingApi(pipeline, exchanges) } });
  }, 60_000);
  afterAll(() => pipeline?.close());

  it('holds back every worker of the app until its Retry-After has passed', async () => {
    pipeline.emulator.faults.enqueue({ kind: 'rate_limited', retryAfterSeconds: 2 });
    await pipeline.schedule();
    await pipeline.waitUntilIdle();
    const [hit, ...others] = exchanges.filter((exchange) => exchange.status === 429);
    expect(others).toEqual([]);
    const during = exchanges.filter((other) => other.sentAt > hit!.answeredAt + 50 && other.sentAt < hit!.answeredAt + 1_900);
    expect(during).toEqual([]);
    expect(exchanges.filter((exchange) => exchange.status === 200)).toHaveLength(8);
    expect(await pipeline.queue.getFailedCount()).toBe(0);
  });
});
