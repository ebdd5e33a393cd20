import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_START, exportPlaysBatch, type ExportPosition } from '../../services/features/exports/data/export-plays.repository.js';
import { createExport, findExport, type ExportRecord } from '../../services/features/exports/data/exports.repository.js';
import type { ExportFormatName } from '../../services/features/exports/data/export.entity.js';
import { CSV_COLUMNS } from '../../services/features/exports/export-formats.js';
import { sweepExports } from '../../services/features/exports/export-files.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { writeExport } from '../../services/worker/export/write-export.job.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertUser, makePlay } from '../support/plays.js';
import { parseCsv } from '../support/csv-parser.js';

const log = createLogger({ service: 'test', level: 'silent' });
/** A run that never has to give up its turn, and a bytes cap it never meets. */
const alone = { othersWaiting: async () => false };
const deps = (exportDir: string, batchRows: number) => ({ exportDir, batchRows, turnMs: 60_000, maxUserBytes: 1024 ** 3 });

interface StoredPlay {
  played_at: Date;
  track_id: string;
  ms_played: number | null;
  source: string;
}

describe('a personal export', () => {
  let db: TestDatabase;
  let dir: string;
  let userId: string;
  let stored: StoredPlay[];

  beforeAll(async () => {
    db = await createTestDatabase('exports');
    dir = await mkdtemp(join(tmpdir(), 'playlog-export-test-'));
    userId = await insertUser(db.sql, `exporter-${randomUUID()}`);
    const other = await insertUser(db.sql, `other-${randomUUID()}`);
    // 2 500 polled plays (more than one batch), one with a comma, a quote and a line break in its names.
    const plays = Array.from({ length: 2_500 }, (_, i) => makePlay(i % 40, new Date(Date.UTC(2025, 0, 1) + i * 200_000).toISOString(), { msPlayed: i % 3 === 0 ? null : 60_000 + i }));
    plays[7] = makePlay(999, plays[7]!.playedAt as string, {
      track: { ...makePlay(999, '2025-01-01T00:00:00Z').track, name: 'Hello, "World"\nagain', artists: [{ id: 'artist00000000000comma', name: 'Smith, "Jr"', uri: 'spotify:artist:artist00000000000comma' }] },
    });
    for (let i = 0; i < plays.length; i += 500) await ingestPlays(db.orm.em.fork(), { userId, plays: plays.slice(i, i + 500), source: 'poll' });
    await ingestPlays(db.orm.em.fork(), { userId: other, plays: [makePlay(1, '2025-06-01T00:00:00Z')], source: 'poll' });
    // Tracks Spotify no longer knows, as an import stores them: one the user's streaming history named, one nothing names.
    await db.sql.query(`insert into tracks (id, name, uri, duration_ms, album_id) values ('lost00000000000000001', '', 'spotify:track:lost00000000000000001', 0, null), ('lost00000000000000002', '', 'spotify:track:lost00000000000000002', 0, null)`);
    await db.sql.query(`insert into export_track_names (user_id, track_id, track_name, artist_name, album_name) values ($1, 'lost00000000000000001', 'Gone Song', 'Gone Band', 'Gone Album')`, [userId]);
    await db.sql.query(
      `insert into listening_events (user_id, played_at, track_id, source, ms_played) values ($1, '2024-05-05T10:00:00.123456Z', 'lost00000000000000001', 'import', 200000), ($1, '2024-05-05T11:00:00Z', 'lost00000000000000002', 'import', 90000)`,
      [userId],
    );
    const { rows } = await db.sql.query<StoredPlay>(`select played_at, track_id, ms_played, source from listening_events where user_id = $1 order by played_at, track_id`, [userId]);
    stored = rows;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await db?.drop();
  });

  async function exportAs(format: ExportFormatName): Promise<{ record: ExportRecord; text: string }> {
    const created = await createExport(db.orm.em.fork(), { userId, format, expiresAt: new Date(Date.now() + 3_600_000), maxPending: 10, maxKept: 100 });
    if (!('created' in created)) throw new Error('refused');
    const outcome = await writeExport(deps(dir, 1_000), db.orm.em.fork(), created.created.id, log, alone);
    expect(outcome.status).toBe('completed');
    const record = (await findExport(db.orm.em.fork(), created.created.id))!;
    expect(record.status).toBe('completed');
    const text = await readFile(record.filePath!, 'utf8');
    expect(record.bytes).toBe(Buffer.byteLength(text));
    expect((await stat(record.filePath!)).mode & 0o077).toBe(0);
    return { record, text };
  }

  it('writes one ListenBrainz listen per play that has names, starting when the play started', async () => {
    const { record, text } = await exportAs('listenbrainz_jsonl');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    const listens = lines.map((line) => JSON.parse(line) as { listened_at: number; track_metadata: { artist_name: string; track_name: string; release_name?: string; additional_info: Record<string, unknown> } });
    const written = stored.filter((play) => play.track_id !== 'lost00000000000000002');
    expect(listens).toHaveLength(written.length);
    expect(record.rows).toBe(written.length);
    expect(record.skipped).toBe(1);
    listens.forEach((listen, i) => {
      const play = written[i]!;
      const lengthMs = play.ms_played ?? (play.track_id.startsWith('lost') ? 0 : 180_000);
      expect(listen.listened_at).toBe(Math.floor((play.played_at.getTime() - lengthMs) / 1000));
      expect(listen.listened_at).toBeGreaterThan(Date.UTC(2024, 0, 1) / 1000);
      expect(listen.listened_at).toBeLessThan(Date.now() / 1000);
      expect(listen.track_metadata.track_name.length).toBeGreaterThan(0);
      expect(listen.track_metadata.artist_name.length).toBeGreaterThan(0);
      expect(listen.track_metadata.additional_info).toMatchObject({ spotify_id: `https://open.spotify.com/track/${play.track_id}`, music_service: 'spotify.com', submission_client: 'Playlog' });
    });
    const named = listens.find((listen) => listen.track_metadata.track_name === 'Gone Song')!;
    expect(named.track_metadata).toMatchObject({ artist_name: 'Gone Band', release_name: 'Gone Album' });
    expect(named.track_metadata.additional_info.duration_ms).toBeUndefined();
    expect(listens.some((listen) => listen.track_metadata.track_name === 'Hello, "World"\nagain' && listen.track_metadata.artist_name === 'Smith, "Jr"')).toBe(true);
  });

  it('writes RFC 4180 CSV, one record per play', async () => {
    const { record, text } = await exportAs('csv');
    const [header, ...records] = parseCsv(text);
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(records).toHaveLength(stored.length);
    expect(record.rows).toBe(stored.length);
    records.forEach((fields, i) => {
      const play = stored[i]!;
      const row = Object.fromEntries(CSV_COLUMNS.map((column, c) => [column, fields[c]]));
      expect(row.played_at).toBe(new Date(Math.floor(play.played_at.getTime())).toISOString());
      expect(row.played_at).toMatch(/Z$/);
      expect(row.track_id).toBe(play.track_id);
      expect(row.ms_played).toBe(play.ms_played === null ? '' : String(play.ms_played));
      expect(row.source).toBe(play.source);
    });
    expect(records.find((fields) => fields[4] === 'Hello, "World"\nagain')?.[5]).toBe('Smith, "Jr"');
    expect(records.find((fields) => fields[3] === 'lost00000000000000001')?.slice(4, 7)).toEqual(['Gone Song', 'Gone Band', 'Gone Album']);
  });

  it('writes one JSON array of plays named as in GraphQL', async () => {
    const { text } = await exportAs('json');
    const plays = JSON.parse(text) as Array<{ playedAt: string; msPlayed: number | null; source: string; track: { id: string; name: string; artists: Array<{ name: string }> } }>;
    expect(plays).toHaveLength(stored.length);
    plays.forEach((play, i) => {
      expect(play.playedAt).toBe(stored[i]!.played_at.toISOString());
      expect(play.track.id).toBe(stored[i]!.track_id);
      expect(play.msPlayed).toBe(stored[i]!.ms_played);
      expect(play.source).toBe(stored[i]!.source.toUpperCase());
    });
    expect(plays.find((play) => play.track.id === 'lost00000000000000002')?.track.name).toBe('Unknown track');
  });

  it('gives the same single file when its job runs twice', async () => {
    const first = await exportAs('csv');
    const again = await writeExport(deps(dir, 1_000), db.orm.em.fork(), first.record.id, log, alone);
    expect(again.status).toBe('nothing_to_do');
    // A run that starts over (its first run died before recording) writes the same bytes under the same name.
    await db.sql.query(`update exports set status = 'running' where id = $1`, [first.record.id]);
    const rerun = await writeExport(deps(dir, 700), db.orm.em.fork(), first.record.id, log, alone);
    expect(rerun.status).toBe('completed');
    expect(await readFile(first.record.filePath!, 'utf8')).toBe(first.text);
    const files = (await readdir(dir)).filter((name) => name.startsWith(first.record.id));
    expect(files).toEqual([`${first.record.id}.csv`]);
  });

  it('continues from its checkpoint after each turn, to the same file as a run alone, even when a checkpoint’s file is lost', async () => {
    const alone = await exportAs('json');
    for (const loseOne of [false, true]) {
      const created = await createExport(db.orm.em.fork(), { userId, format: 'json', expiresAt: new Date(Date.now() + 3_600_000), maxPending: 10, maxKept: 100 });
      if (!('created' in created)) throw new Error('refused');
      const id = created.created.id;
      // Always someone waiting, and no turn to speak of: one batch per run.
      const crowded = { othersWaiting: async () => true };
      let runs = 0;
      for (;;) {
        const outcome = await writeExport({ ...deps(dir, 700), turnMs: 0 }, db.orm.em.fork(), id, log, crowded);
        runs++;
        if (outcome.status === 'completed') break;
        expect(outcome.status).toBe('yielded');
        const [row] = (await db.sql.query<{ partial_path: string }>('select partial_path from exports where id = $1', [id])).rows;
        // Only the checkpoint's file is on disk between turns.
        expect((await readdir(dir)).filter((name) => name.startsWith(id))).toEqual([row!.partial_path.split('/').at(-1)]);
        if (loseOne && runs === 2) await rm(row!.partial_path);
      }
      // One run per batch; a lost checkpoint starts the export over (the two runs before it are written again).
      expect(runs).toBe(Math.ceil(stored.length / 700) + (loseOne ? 2 : 0));
      const record = (await findExport(db.orm.em.fork(), id))!;
      expect(await readFile(record.filePath!, 'utf8')).toBe(alone.text);
      expect(record.rows).toBe(alone.record.rows);
      expect((await readdir(dir)).filter((name) => name.startsWith(id))).toEqual([`${id}.json`]);
    }
  });

  it('keeps a checkpoint’s file however old while its row names it, and sweeps files of no export', async () => {
    const created = await createExport(db.orm.em.fork(), { userId, format: 'csv', expiresAt: new Date(Date.now() + 3_600_000), maxPending: 10, maxKept: 100 });
    if (!('created' in created)) throw new Error('refused');
    const id = created.created.id;
    expect((await writeExport({ ...deps(dir, 700), turnMs: 0 }, db.orm.em.fork(), id, log, { othersWaiting: async () => true })).status).toBe('yielded');
    const [row] = (await db.sql.query<{ partial_path: string }>('select partial_path from exports where id = $1', [id])).rows;
    const orphan = join(dir, `${randomUUID()}.csv.partial-${randomUUID()}`);
    await writeFile(orphan, 'left by a run that died');
    const dayAgo = new Date(Date.now() - 24 * 3_600_000);
    for (const path of [row!.partial_path, orphan]) await utimes(path, dayAgo, dayAgo);
    const swept = await sweepExports(db.orm.em.fork(), dir, { log });
    expect(swept.orphans).toBe(1);
    await expect(stat(orphan)).rejects.toThrow(/ENOENT/);
    expect((await stat(row!.partial_path)).isFile()).toBe(true);
    // And it continues from there.
    expect((await writeExport(deps(dir, 700), db.orm.em.fork(), id, log, alone)).status).toBe('completed');
  });

  it('is deleted, file and row, once expired', async () => {
    const { record } = await exportAs('json');
    await db.sql.query(`update exports set expires_at = now() - interval '1 minute' where id = $1`, [record.id]);
    expect(await findExport(db.orm.em.fork(), record.id)).toBeNull();
    const swept = await sweepExports(db.orm.em.fork(), dir, { log });
    expect(swept.expired).toBeGreaterThanOrEqual(1);
    await expect(stat(record.filePath!)).rejects.toThrow(/ENOENT/);
    const { rows } = await db.sql.query(`select 1 from exports where id = $1`, [record.id]);
    expect(rows).toHaveLength(0);
  });

  it('reads the history in batches of at most the batch size, each from where the last ended, every play once', async () => {
    const seen: string[] = [];
    let from: ExportPosition = EXPORT_START;
    let batches = 0;
    for (;;) {
      const batch = await exportPlaysBatch(db.orm.em.fork(), userId, from, 300);
      expect(batch.length).toBeLessThanOrEqual(300);
      batches++;
      seen.push(...batch.map((play) => `${play.playedAt.toISOString()} ${play.trackId}`));
      const last = batch.at(-1);
      if (!last) break;
      from = { playedAtText: last.playedAtText, trackId: last.trackId };
    }
    // Every full batch, then the one that finds nothing more.
    expect(batches).toBe(Math.ceil(stored.length / 300) + 1);
    expect(seen).toEqual(stored.map((play) => `${play.played_at.toISOString()} ${play.track_id}`));
  });

  it('refuses more pending exports than allowed', async () => {
    const em = db.orm.em.fork();
    const expiresAt = new Date(Date.now() + 3_600_000);
    const user = await insertUser(db.sql, `pending-${randomUUID()}`);
    expect('created' in (await createExport(em, { userId: user, format: 'csv', expiresAt, maxPending: 2, maxKept: 5 }))).toBe(true);
    expect('created' in (await createExport(em, { userId: user, format: 'csv', expiresAt, maxPending: 2, maxKept: 5 }))).toBe(true);
    expect(await createExport(em, { userId: user, format: 'csv', expiresAt, maxPending: 2, maxKept: 5 })).toEqual({ refused: 'too_many_pending', pending: 2 });
  });
});
