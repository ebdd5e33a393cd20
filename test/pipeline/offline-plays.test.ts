import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestPoll } from '../../services/features/polling/poll-jobs.js';
import { startPipeline, type Pipeline } from './pipeline-harness.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/**
 * Plays made offline reach Spotify's recently-played hours after they ended, with their old played_at
 * (../shared/spotify/README.md): older than the newest play the poller already stored, its cursor. A poll
 * that asked only for plays after the cursor would never read them (docs/pipeline.md, "Worker").
 */
describe('plays Spotify delivers late', () => {
  let pipeline: Pipeline;
  let userId: string;
  const spotifyId = 'offliner';

  beforeAll(async () => {
    pipeline = await startPipeline('offline_plays', { users: 0, reporting: { offlineShare: 0.4, offlineDelayMinMs: HOUR, offlineDelayMaxMs: 3 * HOUR } });
    pipeline.emulator.addUser({ id: spotifyId, playsPerHour: 12 });
    userId = await pipeline.login(spotifyId);
    await pipeline.startWorker();
  }, 60_000);
  afterAll(() => pipeline?.close());

  const cursorMs = async () => Number((await pipeline.db.sql.query('select after_cursor_ms from poll_state where user_id = $1', [userId])).rows[0]?.after_cursor_ms ?? 0);

  it('are stored by the next poll, though their played_at is older than the cursor', async () => {
    const readable = new Set<string>();
    let behindCursor = 0;
    // Twelve hours, a poll every 20 minutes: everything recently-played shows at each poll must end up stored.
    for (let poll = 0; poll < 36; poll++) {
      const cursor = await cursorMs();
      for (const key of pipeline.retrievable(spotifyId)) {
        if (readable.has(key)) continue;
        readable.add(key);
        if (poll > 0 && Date.parse(key.split(' ')[0]!) < cursor) behindCursor++;
      }
      await requestPoll(pipeline.queue, userId, 'manual');
      await pipeline.waitUntilIdle();
      pipeline.emulator.clock.advance(20 * MINUTE);
    }
    expect(await pipeline.queue.getFailedCount()).toBe(0);
    expect(behindCursor).toBeGreaterThan(0);
    const stored = new Set(await pipeline.storedPlays(userId));
    expect([...readable].filter((key) => !stored.has(key))).toEqual([]);
    expect(stored.size).toBe(readable.size);
  }, 120_000);
});
