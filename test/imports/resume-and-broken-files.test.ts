import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findImport } from '../../services/features/streaming-history/data/imports.repository.js';
import { importQueue } from '../../services/shared/jobs/job-registry.js';
import { SpotifyApiClient } from '../../services/features/spotify/spotify-api.client.js';
import { SpotifyError } from '../../services/features/spotify/spotify.errors.js';
import type { ExtendedHistoryRow } from '../../services/spotify-emulator/streaming-history.js';
import { runDlqCommand } from '../../services/worker/dlq/dlq-commands.js';
import { parseDlqArgs } from '../../services/worker/dlq/dlq-options.js';
import { startImportPipeline, type ImportPipeline } from './import-harness.js';
import { zipFiles } from './zip-writer.js';

/**
 * Counts stay exact when an import is interrupted and resumed from its checkpoint, and a file that
 * breaks off keeps what was read before the break.
 */
let p: ImportPipeline;
let real: ExtendedHistoryRow[];
let failOnce: FailsOnceFor;
const CHUNK_ROWS = 10;
const UNKNOWN_TRACK = 'Zz9Zz9Zz9Zz9Zz9Zz9Zz9Z';

/**
 * The emulator's API, but the first look-up of one track fails as a Spotify outage does (503: the job
 * retries), and while `outage` is on, every look-up fails so.
 */
class FailsOnceFor extends SpotifyApiClient {
  trackId = '';
  failed = false;
  outage = false;

  override async getTrack(accessToken: string, id: string) {
    if (this.outage || (id === this.trackId && !this.failed)) {
      this.failed = true;
      throw new SpotifyError('server_error', 'Spotify answered 503 (test)', { status: 503, endpoint: 'GET /tracks/{id}' });
    }
    return super.getTrack(accessToken, id);
  }
}

beforeAll(async () => {
  p = await startImportPipeline('imports_resume', { users: 1 });
  p.emulator.addUser({ id: 'resumed', playsPerHour: 40 });
  const rows = await p.streamingHistoryOf('resumed', '2026-11-01T00:00:00Z');
  // One play of each track, so that each track is looked up exactly once.
  const seen = new Set<string>();
  real = rows.filter((row) => row.spotify_track_uri && !seen.has(row.spotify_track_uri) && seen.add(row.spotify_track_uri));
  expect(real.length).toBeGreaterThan(60);
  failOnce = new FailsOnceFor({ apiUrl: p.emulator.apiUrl, timeoutMs: 5_000 });
  await p.startImportWorker({ chunkRows: CHUNK_ROWS, api: failOnce });
}, 60_000);
afterAll(async () => {
  await p?.close();
});

/** A play of a track Spotify answers 404 for, with the streaming history's names. */
const unknownPlay = (ts: string): ExtendedHistoryRow => ({
  ...real[0]!,
  ts,
  ms_played: 180_000,
  master_metadata_track_name: 'Gone Song',
  master_metadata_album_artist_name: 'Gone Band',
  master_metadata_album_album_name: 'Gone Album',
  spotify_track_uri: `spotify:track:${UNKNOWN_TRACK}`,
});

describe('an import that fails part-way and resumes from its checkpoint', () => {
  it('counts plays of a track Spotify no longer knows, and the tracks looked up, as an uninterrupted import does', async () => {
    const userId = await p.login('resumed');
    // Three chunks; the unknown track is played in each, and first met (404) in the first.
    const rows = real.slice(0, 3 * CHUNK_ROWS);
    for (const at of [2, 7, 12, 17, 22, 27]) rows[at] = unknownPlay(`2020-01-01T00:00:${String(at).padStart(2, '0')}Z`);
    // The second chunk's first new track fails once: the first attempt ends after committing the first chunk.
    failOnce.trackId = rows[15]!.spotify_track_uri!.split(':')[2]!;
    const importId = await p.queueImport(userId, await p.writeStreamingHistory(rows, 'Streaming_History_Audio_2020_0.json'));

    const record = await p.waitForImport(importId, 60_000);
    expect(failOnce.failed).toBe(true);
    expect(p.logLines.join('\n')).toMatch(/resuming the import from its checkpoint/);
    expect(record).toMatchObject({
      status: 'completed',
      rowsRead: 30,
      stored: 30,
      duplicates: 0,
      unknownTracks: 6,
      tracksFetched: 24 + 1,
      skippedMalformed: 0,
    });
    const { rows: stored } = await p.db.sql.query('select count(*)::int as plays from listening_events where user_id = $1 and track_id = $2', [userId, UNKNOWN_TRACK]);
    expect(stored[0].plays).toBe(6);
  }, 90_000);
});

describe('an import whose every attempt failed', () => {
  it('is marked failed with the reason, and retried from the dead-letter queue it resumes to the end', async () => {
    const userId = await p.login(p.emulator.users()[0]!.id);
    // Tracks no earlier test looked up: the first chunk stores, the second meets the outage.
    const rows = real.slice(64, 64 + 2 * CHUNK_ROWS);
    const importId = await p.queueImport(userId, await p.writeStreamingHistory(rows, 'Streaming_History_Audio_2019_0.json'));
    failOnce.trackId = rows[CHUNK_ROWS]!.spotify_track_uri!.split(':')[2]!;
    failOnce.failed = false;
    failOnce.outage = false;
    // Let the first chunk commit, then Spotify goes down for good.
    for (let i = 0; i < 200 && !failOnce.failed; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    failOnce.outage = true;

    const failed = await p.waitForImport(importId, 60_000);
    expect(failed).toMatchObject({ status: 'failed', rowsRead: CHUNK_ROWS, stored: CHUNK_ROWS });
    expect(failed.error).toMatch(/answered 503 \(test\)/);
    const [job] = await p.importQueue.getFailed();
    expect(job?.id).toBe(`import-${importId}`);
    expect(job?.attemptsMade).toBe(importQueue.attempts);

    failOnce.outage = false;
    const listed = await runDlqCommand(p.queues, parseDlqArgs(['list', '--queue', 'import']));
    expect(listed.json).toMatchObject({ total: 1, jobs: [{ queue: 'import', id: `import-${importId}`, importId }] });
    expect(await runDlqCommand(p.queues, parseDlqArgs(['retry', `import-${importId}`]))).toMatchObject({ json: { retried: [{ queue: 'import', id: `import-${importId}` }] } });
    // The retried job starts the import again (running), then finishes it.
    for (let i = 0; i < 400 && (await findImport(p.db.orm.em.fork(), importId))?.status === 'failed'; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    const resumed = await p.waitForImport(importId, 60_000);
    expect(resumed).toMatchObject({ status: 'completed', rowsRead: 2 * CHUNK_ROWS, stored: 2 * CHUNK_ROWS, duplicates: 0, error: null });
    expect(p.logLines.join('\n')).toMatch(/resuming the import from its checkpoint/);
  }, 90_000);
});

describe('a streaming history with a file that breaks off', () => {
  it('keeps the rows before the break, lists the break as a problem, and reads the next file', async () => {
    const userId = await p.login(p.emulator.users()[0]!.id);
    const [first, second] = [real.slice(30, 45), real.slice(45, 60)];
    const whole = JSON.stringify(first, null, 2);
    // Cut inside row 12's object: rows 0–11 are whole.
    const cut = whole.indexOf(first[12]!.ts) + 5;
    const zip = zipFiles([
      { name: 'Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json', content: whole.slice(0, cut) },
      { name: 'Spotify Extended Streaming History/Streaming_History_Audio_2025_1.json', content: JSON.stringify(second) },
    ]);
    const file = join(p.dir, 'broken.zip');
    await writeFile(file, zip);
    const record = await p.waitForImport(await p.queueImport(userId, file), 60_000);

    expect(record).toMatchObject({ status: 'completed', rowsRead: 12 + 15, stored: 12 + 15, skippedMalformed: 0 });
    expect(record.problems).toEqual([
      {
        file: 'Streaming_History_Audio_2024_0.json',
        row: 12,
        message: 'Streaming_History_Audio_2024_0.json is not a JSON array of plays: it ends in the middle of row 12',
      },
    ]);
  }, 60_000);

  it('names a row that is not JSON without quoting it (it may hold an IP address)', async () => {
    const userId = await p.login(p.emulator.users()[0]!.id);
    const rows = real.slice(60, 64).map((row) => JSON.stringify(row));
    rows[2] = rows[2]!.replace('"ip_addr":', '"ip_addr" ');
    const file = join(p.dir, 'Streaming_History_Audio_2026_9.json');
    await writeFile(file, `[${rows.join(',\n')}]`);
    const record = await p.waitForImport(await p.queueImport(userId, file), 60_000);

    expect(record).toMatchObject({ status: 'completed', rowsRead: 2, stored: 2 });
    expect(record.problems).toEqual([
      { file: 'Streaming_History_Audio_2026_9.json', row: 2, message: 'Streaming_History_Audio_2026_9.json is not a JSON array of plays: row 2 is not valid JSON' },
    ]);
    expect(JSON.stringify(record.problems)).not.toContain(real[62]!.ip_addr);
  }, 60_000);
});
