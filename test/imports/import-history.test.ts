import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestPoll } from '../../services/features/polling/poll-jobs.js';
import type { ExtendedHistoryRow } from '../../services/spotify-emulator/streaming-history.js';
import { spawnService } from '../support/worker-process.js';
import { secondKey, startImportPipeline, type ImportPipeline } from './import-harness.js';

/**
 * Issue 10's main scenario: a synthetic user with 20,000 historical plays, imported from the emulator's
 * streaming history (derived from its ground truth: second-precision `ts` of each play's end, real field
 * names), then polled. The emulator reports plays as Spotify does (its default): recently-played's
 * `played_at` is the start on some days, pauses lengthen plays, so a polled play and its streaming-history
 * row differ by more than a second for many plays.
 */
const PLAYS = 20_000;
let p: ImportPipeline;
let from: string;
let groundTruth: string[];
let historyRows: ExtendedHistoryRow[];
let historyPath: string;
let inProcessImports: Awaited<ReturnType<ImportPipeline['startImportWorker']>>;

beforeAll(async () => {
  p = await startImportPipeline('imports_history', { users: 1 });
  // Four listeners with the same taste in volume; each scenario gets its own, so their histories are independent.
  for (const id of ['importfirst', 'pollfirst', 'overlapping', 'killed']) p.emulator.addUser({ id, playsPerHour: 40 });
  const everything = p.emulator.groundTruth('importfirst', Date.parse('2026-10-01T00:00:00Z'));
  expect(everything.length).toBeGreaterThan(PLAYS);
  from = everything[everything.length - PLAYS]!.played_at;
}, 60_000);
afterAll(async () => {
  await p?.close();
});

/**
 * The ground truth as stored: each play once, at its streaming history's `ts`, or, when `polledFirst`, at the
 * `played_at` of recently-played for the plays the poll read (retrievable now: the emulator's clock is frozen).
 */
async function truthOf(spotifyUserId: string, polledFirst = false): Promise<string[]> {
  return p.emulator
    .groundTruth(spotifyUserId, Date.parse(from))
    .map((play) => secondKey(polledFirst && play.retrievable ? play.played_at : play.streaming_history.ts, play.track.id))
    .sort();
}

async function storedOf(userId: string): Promise<string[]> {
  const { rows } = await p.db.sql.query<{ played_at: Date; track_id: string }>('select played_at, track_id from listening_events where user_id = $1', [userId]);
  return rows.map((row) => secondKey(row.played_at, row.track_id)).sort();
}

async function pollNow(userId: string): Promise<void> {
  await requestPoll(p.queue, userId, 'manual');
  await p.waitUntilIdle(30_000);
}

describe('importing 20,000 historical plays', () => {
  beforeAll(async () => {
    await p.startWorker();
    inProcessImports = await p.startImportWorker();
    historyRows = await p.streamingHistoryOf('importfirst', from);
    groundTruth = await truthOf('importfirst');
    historyPath = await p.writeStreamingHistory(historyRows);
  }, 60_000);

  it('measures the tolerance: a polled played_at lies within its streaming-history row’s span widened by the track’s duration, and no two rows of one track overlap', () => {
    const truth = p.emulator.groundTruth('importfirst', Date.parse(from));
    expect(historyRows).toHaveLength(truth.length);
    expect(truth.length).toBe(PLAYS);
    expect(historyRows.every((row) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(row.ts))).toBe(true);
    // played_at is not the streaming history's second for every play: the start on some days, a pause later.
    const offsets = truth.map((play, i) => Date.parse(play.played_at) - Date.parse(historyRows[i]!.ts));
    expect(offsets.filter((offset) => offset < 0 || offset >= 1_000).length).toBeGreaterThan(PLAYS / 10);
    // The duplicate rule's tolerance: played_at lies in [ts − ms_played − duration, ts + duration].
    const outside = truth.filter((play, i) => {
      const ts = Date.parse(historyRows[i]!.ts);
      const at = Date.parse(play.played_at);
      return at < ts - historyRows[i]!.ms_played - play.track.duration_ms || at > ts + play.track.duration_ms;
    });
    expect(outside).toEqual([]);
    // Two rows of one track never overlap (their spans, [ts − ms_played + 1 s, ts): ts is cut to the second), so a
    // track repeated back to back, which many are, is two plays.
    const lastEnd = new Map<string, number>();
    let overlapping = 0;
    let backToBack = 0;
    for (const row of historyRows) {
      const end = Date.parse(row.ts);
      const previous = lastEnd.get(row.spotify_track_uri!);
      if (previous !== undefined && end - row.ms_played + 1_000 < previous) overlapping++;
      if (previous !== undefined && end - row.ms_played - previous < 5_000) backToBack++;
      lastEnd.set(row.spotify_track_uri!, end);
    }
    expect(overlapping).toBe(0);
    expect(backToBack).toBeGreaterThan(100);
    expect(new Set(groundTruth).size).toBe(PLAYS);
  });

  it('stores every play of the streaming history, then a poll adds nothing: stored plays equal the ground truth', async () => {
    const userId = await p.login('importfirst');
    const record = await p.waitForImport(await p.queueImport(userId, historyPath));
    expect({ status: record.status, error: record.error }).toEqual({ status: 'completed', error: null });
    expect(record).toMatchObject({ rowsRead: PLAYS, stored: PLAYS, duplicates: 0, skippedMalformed: 0, skippedPodcast: 0, skippedLocal: 0 });
    expect(record.shortPlays).toBe(p.emulator.groundTruth('importfirst', Date.parse(from)).filter((play) => !play.counted).length);
    expect(record.shortPlays).toBeGreaterThan(0);

    await pollNow(userId);
    const stored = await storedOf(userId);
    expect(stored).toEqual(groundTruth);
    const { rows } = await p.db.sql.query('select count(*)::int as n, count(*) filter (where source = $2)::int as imported from listening_events where user_id = $1', [userId, 'import']);
    expect(rows[0]).toEqual({ n: PLAYS, imported: PLAYS });
  }, 120_000);

  it('imports the same file again: 0 new plays', async () => {
    const userId = p.users.get('importfirst')!;
    const record = await p.waitForImport(await p.queueImport(userId, await p.writeStreamingHistory(historyRows)));
    expect(record).toMatchObject({ status: 'completed', rowsRead: PLAYS, stored: 0, duplicates: PLAYS });
    expect(await storedOf(userId)).toEqual(groundTruth);
  }, 120_000);

  it('keeps polled plays (ms precision) and stores only the rest of the streaming history: no play twice', async () => {
    const userId = await p.login('pollfirst');
    await pollNow(userId);
    const polled = (await p.db.sql.query('select count(*)::int as n from listening_events where user_id = $1', [userId])).rows[0].n;
    expect(polled).toBe(50);
    const rows = await p.streamingHistoryOf('pollfirst', from);
    const record = await p.waitForImport(await p.queueImport(userId, await p.writeStreamingHistory(rows)));
    expect(record).toMatchObject({ status: 'completed', rowsRead: rows.length, stored: rows.length - 50, duplicates: 50 });
    expect(await storedOf(userId)).toEqual(await truthOf('pollfirst', true));
    // The polled plays kept their milliseconds.
    const polledKept = await p.db.sql.query(`select count(*)::int as n from listening_events where user_id = $1 and source = 'poll'`, [userId]);
    expect(polledKept.rows[0].n).toBe(50);
  }, 120_000);

  it('imports overlapping files: the second adds only the difference', async () => {
    const userId = await p.login('overlapping');
    const rows = await p.streamingHistoryOf('overlapping', from);
    const first = await p.waitForImport(await p.queueImport(userId, await p.writeStreamingHistory(rows.slice(0, 12_000))));
    expect(first).toMatchObject({ status: 'completed', stored: 12_000 });
    const second = await p.waitForImport(await p.queueImport(userId, await p.writeStreamingHistory(rows.slice(8_000))));
    expect(second).toMatchObject({ status: 'completed', rowsRead: rows.length - 8_000, stored: rows.length - 12_000, duplicates: 4_000 });
    expect(await storedOf(userId)).toEqual(await truthOf('overlapping'));
  }, 120_000);
});

describe('a worker killed in the middle of an import', () => {
  it('resumes from its checkpoint in the next worker and ends with the same plays and counts', async () => {
    const userId = await p.login('killed');
    // Only worker processes take import jobs from here on: the one killed, then the one that resumes.
    await inProcessImports?.close();
    await p.importQueue.pause();
    const rows = await p.streamingHistoryOf('killed', from);
    const importId = await p.queueImport(userId, await p.writeStreamingHistory(rows));
    // The first process goes slowly (tracks looked up at 50 a second, 50-row chunks), so that it is surely killed mid-import.
    const env = { ...p.serviceEnv(), IMPORT_CHUNK_ROWS: '250', IMPORT_TRACK_LOOKUPS_PER_SECOND: '1000', WORKER_MAX_JOBS_PER_SECOND: '2000' };
    const first = spawnService('worker', { ...env, IMPORT_TRACK_LOOKUPS_PER_SECOND: '50', IMPORT_CHUNK_ROWS: '50' });
    let killedAt = 0;
    try {
      await first.waitForLine(/"msg":"worker ready"/, 30_000);
      await p.importQueue.resume();
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
        const { rows } = await p.db.sql.query('select rows_read::int as rows_read from imports where id = $1', [importId]);
        if (rows[0].rows_read >= 1_000) {
          killedAt = rows[0].rows_read;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(killedAt).toBeGreaterThan(0);
      expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    } finally {
      await first.stop('SIGKILL');
    }
    const half = (await p.db.sql.query('select rows_read::int as rows_read, status from imports where id = $1', [importId])).rows[0];
    expect(half.status).toBe('running');
    expect(half.rows_read).toBeLessThan(rows.length);

    const second = spawnService('worker', env);
    try {
      const record = await p.waitForImport(importId, 90_000);
      expect(record).toMatchObject({ status: 'completed', rowsRead: rows.length, stored: rows.length, duplicates: 0 });
      expect(second.lines.join('\n')).toMatch(/resuming the import from its checkpoint/);
    } finally {
      await second.stop();
    }
    expect(await storedOf(userId)).toEqual(await truthOf('killed'));
  }, 180_000);
});
