import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPlaysBatch, EXPORT_START } from '../../services/features/exports/data/export-plays.repository.js';
import { EXPORT_FORMAT_WRITERS } from '../../services/features/exports/export-formats.js';
import { storeListens } from '../../services/features/listenbrainz/store-listens.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { insertUser, makePlay } from '../support/plays.js';
import { startImportPipeline, type ImportPipeline } from './import-harness.js';
import { zipFiles } from './zip-writer.js';

/**
 * A listener moves in from another server: a ListenBrainz export — the zip of listens/YYYY/M.jsonl that
 * ListenBrainz, Koito and Maloja write, or Playlog's own LISTENBRAINZ_JSONL export — imported through the
 * same queue as a Spotify streaming history (docs/listenbrainz.md).
 */
let p: ImportPipeline;
const day = Date.parse('2025-05-14T18:00:00Z');

beforeAll(async () => {
  p = await startImportPipeline('imports_listenbrainz', { users: 1 });
  await p.startImportWorker({ chunkRows: 4 });
}, 60_000);
afterAll(async () => {
  await p?.close();
});

/** A user's history as they see it: each play's second, track and names. */
async function historyOf(userId: string): Promise<string[]> {
  const rows: string[] = [];
  for (const play of await exportPlaysBatch(p.db.orm.em.fork(), userId, EXPORT_START, 10_000)) {
    rows.push(`${Math.floor(play.playedAt.getTime() / 1000)} ${play.trackName} — ${play.artistNames.join(', ')} — ${play.albumName ?? ''}`);
  }
  return rows;
}

describe('importing a ListenBrainz export', () => {
  it('stores the listens of ListenBrainz’s zip, once, counting a malformed line and storing nothing twice on a second import', async () => {
    const userId = await insertUser(p.db.sql, 'mover');
    // As ListenBrainz exports them: each listen with the fields its export adds.
    const line = (offset: number, title: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        listened_at: Math.floor(day / 1000) + offset,
        inserted_at: Math.floor(day / 1000) + offset + 5,
        recording_msid: `msid-${offset}`,
        user_name: 'somebody',
        track_metadata: { artist_name: 'Kiasmos', track_name: title, release_name: 'Kiasmos', additional_info: { duration_ms: 240_000, submission_client: 'Navidrome', ...extra } },
      });
    const may = [line(0, 'Looped'), line(300, 'Held'), line(600, 'Swept'), '{"listened_at": "soon", "track_metadata": {}}', line(900, 'Bent')].join('\n');
    const june = [line(30 * 86_400, 'Thrown'), '', line(30 * 86_400 + 300, 'Dragged')].join('\n') + '\n';
    const path = join(p.dir, 'listenbrainz-export.zip');
    await writeFile(path, zipFiles([{ name: 'user.json', content: '{}' }, { name: 'listens/2025/5.jsonl', content: may }, { name: 'listens/2025/6.jsonl', content: june }]));
    const first = await p.waitForImport(await p.queueImport(userId, path));
    expect(first.status).toBe('completed');
    expect(first).toMatchObject({ rowsRead: 7, stored: 6, duplicates: 0, skippedMalformed: 1 });
    expect(first.problems[0]).toMatchObject({ file: '5.jsonl', row: 3, message: expect.stringMatching(/listened_at/) });
    expect(await historyOf(userId)).toEqual([
      `${Math.floor(day / 1000) + 240} Looped — Kiasmos — Kiasmos`,
      `${Math.floor(day / 1000) + 540} Held — Kiasmos — Kiasmos`,
      `${Math.floor(day / 1000) + 840} Swept — Kiasmos — Kiasmos`,
      `${Math.floor(day / 1000) + 1140} Bent — Kiasmos — Kiasmos`,
      `${Math.floor(day / 1000) + 30 * 86_400 + 240} Thrown — Kiasmos — Kiasmos`,
      `${Math.floor(day / 1000) + 30 * 86_400 + 540} Dragged — Kiasmos — Kiasmos`,
    ]);
    const { rows } = await p.db.sql.query<{ source: string; client: string }>('select distinct source, client from listening_events where user_id = $1', [userId]);
    expect(rows).toEqual([{ source: 'listenbrainz', client: 'Navidrome' }]);

    await writeFile(path, zipFiles([{ name: 'listens/2025/5.jsonl', content: may }, { name: 'listens/2025/6.jsonl', content: june }]));
    const again = await p.waitForImport(await p.queueImport(userId, path));
    expect(again).toMatchObject({ stored: 0, duplicates: 6, skippedMalformed: 1 });
  });

  it('round trip: Playlog’s own export imported into a new account gives the same history', async () => {
    const from = await insertUser(p.db.sql, 'leaving');
    const at = (minutes: number) => new Date(day + minutes * 60_000).toISOString();
    // Polled plays of Spotify tracks, and listens players sent (one of a song Spotify never described to Playlog).
    await ingestPlays(p.db.orm.em.fork(), { userId: from, source: 'poll', plays: [makePlay(1, at(0)), makePlay(2, at(4)), makePlay(1, at(8))] });
    await storeListens(p.db.orm.em.fork(), from, [
      { listenedAt: Math.floor(day / 1000) + 900, trackName: 'Blue Hour', artistName: 'Nobody Known', releaseName: 'Demos', additionalInfo: { submission_client: 'gonic' }, durationMs: 200_000 },
      { listenedAt: Math.floor(day / 1000) + 1_200, trackName: 'Song 2', artistName: 'The Testers', releaseName: null, additionalInfo: {}, durationMs: null },
    ]);
    const writer = EXPORT_FORMAT_WRITERS.listenbrainz_jsonl;
    const plays = await exportPlaysBatch(p.db.orm.em.fork(), from, EXPORT_START, 10_000);
    const path = join(p.dir, 'playlog-export.jsonl');
    await writeFile(path, writer.begin() + plays.map((play, index) => writer.row(play, index) ?? '').join('') + writer.end());

    const to = await insertUser(p.db.sql, 'arriving');
    // The catalogue is the same server's: the Spotify tracks are known.
    const imported = await p.waitForImport(await p.queueImport(to, path));
    expect(imported).toMatchObject({ rowsRead: 5, stored: 5, skippedMalformed: 0 });
    expect(await historyOf(to)).toEqual(await historyOf(from));
  });
});
