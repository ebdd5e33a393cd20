import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorSecrets, parsedLogs, startPipeline, type Pipeline } from './pipeline-harness.js';

let pipeline: Pipeline;
const USERS = 55;

beforeAll(async () => {
  pipeline = await startPipeline('fullcycle', { users: USERS, playsPerHour: [10, 30] });
  for (const user of pipeline.emulator.users()) await pipeline.login(user.id);
  await pipeline.startWorker();
}, 60_000);
afterAll(() => pipeline?.close());

describe('a full poll cycle against the emulator', () => {
  const firstSnapshot = new Map<string, string[]>();

  it('stores exactly the plays Spotify can return for every one of 55 users', async () => {
    for (const spotifyId of pipeline.users.keys()) firstSnapshot.set(spotifyId, pipeline.retrievable(spotifyId));
    const run = await pipeline.schedule();
    expect(run).toMatchObject({ scanned: USERS, enqueued: USERS, skipped: 0 });
    await pipeline.waitUntilIdle();

    expect(await pipeline.queue.getFailedCount()).toBe(0);
    for (const [spotifyId, userId] of pipeline.users) {
      const stored = await pipeline.storedPlays(userId);
      expect(stored, `plays of ${spotifyId}`).toEqual(firstSnapshot.get(spotifyId));
      expect(stored).toHaveLength(50);
    }
  });

  it('a later cycle adds the new plays, with no gap and no duplicate', async () => {
    pipeline.emulator.clock.advance(40 * 60_000);
    // The next interval's run (the scheduler's clock is told, the emulator's has moved on 40 minutes).
    const run = await pipeline.schedule({ now: Date.now() + 300_000 });
    expect(run).toMatchObject({ scanned: USERS, enqueued: USERS });
    await pipeline.waitUntilIdle();
    expect(await pipeline.queue.getFailedCount()).toBe(0);

    let newPlays = 0;
    for (const [spotifyId, userId] of pipeline.users) {
      const first = firstSnapshot.get(spotifyId)!;
      const oldest = Date.parse(first[0]!.split(' ')[0]!);
      // Ground truth: every counted play Spotify has been told of (a play made offline reaches it hours late) with a
      // played_at from the oldest one first seen until now, none missing.
      const now = pipeline.emulator.clock.now();
      const expected = pipeline.emulator
        .groundTruth(spotifyId, oldest, now + 1)
        .filter((play) => play.counted && Date.parse(play.delivered_at) <= now && Date.parse(play.played_at) >= oldest)
        .map((play) => `${play.played_at} ${play.track.id}`)
        .sort();
      const stored = await pipeline.storedPlays(userId);
      expect(stored, `plays of ${spotifyId}`).toEqual(expected);
      expect(new Set(stored).size).toBe(stored.length);
      newPlays += stored.length - first.length;
    }
    expect(newPlays).toBeGreaterThan(USERS);
  });

  it('writes one log line per job with its numbers, and no secret in logs or job data', async () => {
    const lines = parsedLogs(pipeline.logLines).filter((line) => line.status === 'polled');
    expect(lines).toHaveLength(USERS * 2);
    expect(lines[0]).toMatchObject({
      service: 'worker',
      userId: expect.any(String),
      jobId: expect.any(String),
      attempt: 1,
      pages: expect.any(Number),
      fetched: expect.any(Number),
      new: expect.any(Number),
      durationMs: expect.any(Number),
    });

    const jobData = (await pipeline.queue.getJobs(['completed', 'failed', 'waiting'])).map((job) => JSON.stringify(job.data)).join('\n');
    const logs = pipeline.logLines.join('\n');
    for (const secret of emulatorSecrets(pipeline.emulator)) {
      expect(logs.includes(secret)).toBe(false);
      expect(jobData.includes(secret)).toBe(false);
    }
  });
});
