import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestPoll } from '../../services/features/polling/poll-jobs.js';
import { startImportPipeline, type ImportPipeline } from './import-harness.js';

const DAY = 86_400_000;

/**
 * Issue 31's reproduction: on a client and day where Spotify's played_at is the play's START, a polled
 * play and its streaming-history row (ts: the end) lie minutes apart. One play per user, track and UTC
 * second stored both, a second copy of every polled play, in either order. Kept as the regression test of
 * the rule that replaced it (docs/import.md, "How duplicates are decided").
 */
describe('plays whose played_at is their start, polled and imported', () => {
  let p: ImportPipeline;
  let from: string;

  beforeAll(async () => {
    p = await startImportPipeline('played_at_start', { users: 0, reporting: { startedAtShare: 1 } });
    for (const id of ['pollfirst', 'importfirst']) p.emulator.addUser({ id, playsPerHour: 20 });
    from = new Date(p.emulator.clock.now() - 2 * DAY).toISOString();
    await p.startWorker();
    await p.startImportWorker();
  }, 60_000);
  afterAll(() => p?.close());

  const count = async (userId: string) => Number((await p.db.sql.query('select count(*) from listening_events where user_id = $1', [userId])).rows[0].count);
  const pollNow = async (userId: string) => {
    await requestPoll(p.queue, userId, 'manual');
    await p.waitUntilIdle(30_000);
  };

  it('polls 50 plays and imports their streaming history after: every play once, the 50 rows counted as duplicates', async () => {
    const userId = await p.login('pollfirst');
    await pollNow(userId);
    const truth = p.emulator.groundTruth('pollfirst', Date.parse(from));
    const polled = truth.filter((play) => play.retrievable);
    expect(polled).toHaveLength(50);
    expect(polled.every((play) => play.played_at === play.started_at && play.played_at !== play.ended_at)).toBe(true);
    const rows = await p.streamingHistoryOf('pollfirst', from);
    const record = await p.waitForImport(await p.queueImport(userId, await p.writeStreamingHistory(rows)));
    expect(record).toMatchObject({ status: 'completed', rowsRead: truth.length, stored: truth.length - 50, duplicates: 50 });
    expect(await count(userId)).toBe(truth.length);
  }, 120_000);

  it('imports the streaming history, then polls: the poll stores nothing new', async () => {
    const userId = await p.login('importfirst');
    const truth = p.emulator.groundTruth('importfirst', Date.parse(from));
    const rows = await p.streamingHistoryOf('importfirst', from);
    const record = await p.waitForImport(await p.queueImport(userId, await p.writeStreamingHistory(rows)));
    expect(record).toMatchObject({ status: 'completed', stored: truth.length, duplicates: 0 });
    await pollNow(userId);
    expect(await count(userId)).toBe(truth.length);
    const { rows: sources } = await p.db.sql.query(`select source, count(*)::int as n from listening_events where user_id = $1 group by 1`, [userId]);
    expect(sources).toEqual([{ source: 'import', n: truth.length }]);
  }, 120_000);
});
