import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportLake, type LakeExportResult } from '../../services/lake-export/export-lake.js';
import { DirectoryTarget } from '../../services/lake-export/targets/directory-target.js';
import type { LakeTarget } from '../../services/lake-export/targets/lake-target.js';
import { userKeys, type UserIdMode } from '../../services/lake-export/user-pseudonyms.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import { LakeSource } from '../../services/features/lake/data/lake.repository.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { readLakePlays, readLakeTable, type DayTotals } from '../support/lake-reader.js';
import { insertUser, makePlay } from '../support/plays.js';

const KEY = 'a-test-pseudonym-key-of-at-least-32-characters';
const IDS: UserIdMode = { mode: 'pseudonymous', key: KEY };
const log = createLogger({ service: 'lake-export-test', level: 'silent' });

let db: TestDatabase;
let workDir: string;
let lakeDir: string;
const users: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestDatabase('lake');
  workDir = await mkdtemp(join(tmpdir(), 'playlog-lake-work-'));
  lakeDir = await mkdtemp(join(tmpdir(), 'playlog-lake-'));
  for (const name of ['ada', 'ben', 'cy']) users[name] = await insertUser(db.sql, `lake-${name}`);
});
afterAll(async () => {
  await db?.drop();
  await rm(workDir, { recursive: true, force: true });
  await rm(lakeDir, { recursive: true, force: true });
});

async function runLakeExport(target: LakeTarget = new DirectoryTarget(lakeDir), ids: UserIdMode = IDS): Promise<LakeExportResult> {
  if (target instanceof DirectoryTarget) await target.prepare();
  const source = await LakeSource.open(db.url);
  try {
    return await exportLake(source, target, { userIds: ids, workDir, memoryLimitMb: 64 }, log);
  } finally {
    await source.close();
  }
}

/** Postgres' own answer, with each user id as the lake writes it. */
async function postgresPlays(ids: UserIdMode = IDS): Promise<{ totals: DayTotals[]; rows: string[] }> {
  const { rows: userRows } = await db.sql.query<{ id: string }>('select id::text as id from users');
  const keys = userKeys(
    userRows.map((row) => row.id),
    ids,
  );
  const totals = await db.sql.query<{ user_id: string; day: string; plays: number; ms: string }>(
    `select user_id::text, (played_at at time zone 'UTC')::date::text as day, count(*)::int as plays, coalesce(sum(ms_played), 0)::text as ms
       from listening_events group by 1, 2`,
  );
  const rows = await db.sql.query<{ user_id: string; rest: string; context_uri: string | null }>(
    `select user_id::text, concat_ws('|', to_char(played_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), track_id, coalesce(ms_played::text, '-'), source, coalesce(context_type, '-')) as rest, context_uri
       from listening_events`,
  );
  return {
    totals: totals.rows
      .map((row) => ({ user: keys.get(row.user_id)!, day: row.day, plays: row.plays, msPlayed: Number(row.ms) }))
      .sort((a, b) => a.user.localeCompare(b.user) || a.day.localeCompare(b.day)),
    rows: rows.rows.map((row) => `${keys.get(row.user_id)!}|${row.rest}|${lakeContextUri(row.context_uri) ?? '-'}`).sort(),
  };
}

/** docs/lake.md's rule for contexts, written apart from lake-export's SQL: public objects only, never a user. */
function lakeContextUri(uri: string | null): string | null {
  const parts = uri?.split(':') ?? [];
  if (parts.length === 3 && parts[0] === 'spotify' && ['album', 'artist', 'playlist', 'show', 'episode'].includes(parts[1]!) && parts[2] !== '') return uri;
  if (parts.length === 5 && parts[0] === 'spotify' && parts[1] === 'user' && parts[3] === 'playlist' && parts[2] !== '' && parts[4] !== '') return `spotify:playlist:${parts[4]}`;
  return null;
}

async function expectLakeEqualsPostgres(root = lakeDir, ids: UserIdMode = IDS): Promise<void> {
  const lake = await readLakePlays(root);
  const postgres = await postgresPlays(ids);
  expect(lake.totals).toEqual(postgres.totals);
  expect(lake.rows).toEqual(postgres.rows);
}

const at = (day: string, time: string) => `${day}T${time}Z`;

async function store(user: string, plays: Array<[number, string, number | null]>, source: 'poll' | 'import' = 'poll') {
  await ingestPlays(db.orm.em.fork(), { userId: users[user]!, source, plays: plays.map(([track, playedAt, msPlayed]) => makePlay(track, playedAt, { msPlayed })) });
}

const manifest = async (root = lakeDir) => JSON.parse(await readFile(join(root, '_manifest.json'), 'utf8')) as Record<string, unknown> & { plays: { rows: number; days: Record<string, { rows: number }> } };

describe('the data lake in a directory', () => {
  it('a first lake run writes every day as one Parquet file per UTC day, the catalogue and a manifest, equal to Postgres', async () => {
    await store('ada', [
      [1, at('2026-03-01', '23:59:59.999'), 200_000],
      [2, at('2026-03-02', '00:00:00.001'), null],
      [3, at('2026-03-02', '12:00:00'), 15_000],
    ]);
    await store('ben', [
      [1, at('2026-03-02', '08:30:00.123'), 180_000],
      [4, at('2026-03-05', '10:00:00'), null],
    ]);

    const result = await runLakeExport();
    expect(result).toMatchObject({ outcome: 'written', full: true, daysWritten: 3, daysRemoved: 0, playRowsWritten: 5 });
    await expectLakeEqualsPostgres();

    const written = await manifest();
    expect(written).toMatchObject({ format: 1, plays: { rows: 5 } });
    expect(Object.keys(written.plays.days)).toEqual(['2026-03-01', '2026-03-02', '2026-03-05']);
    expect(written.plays.days['2026-03-02']!.rows).toBe(3);
    expect(written.dataAsOf).toMatch(/Z$/);
    const tracks = await readLakeTable(lakeDir, 'tracks');
    expect(tracks.map((track) => track.id)).toEqual(['track00000000000000001', 'track00000000000000002', 'track00000000000000003', 'track00000000000000004']);
    expect(tracks[0]).toEqual({ id: 'track00000000000000001', name: 'Song 1', uri: 'spotify:track:track00000000000000001', duration_ms: 180000, album_id: 'album0000000000000001' });
    expect((await readLakeTable(lakeDir, 'track_artists')).length).toBe(8);
    expect((await readLakeTable(lakeDir, 'albums')).length).toBe(1);
    // The Testers and the guests of tracks 2 to 4 (makePlay gives track 1's guest The Testers' id).
    expect((await readLakeTable(lakeDir, 'artists')).length).toBe(4);
  });

  it('writes user ids only as keyed pseudonyms, and never a token, e-mail address or display name', async () => {
    const lake = await readLakePlays(lakeDir);
    for (const total of lake.totals) expect(total.user).toMatch(/^[0-9a-f]{64}$/);
    const everything = await readLakeTable(lakeDir, 'tracks').then(JSON.stringify);
    for (const id of Object.values(users)) {
      expect(lake.rows.join('\n')).not.toContain(id);
      expect(everything).not.toContain(id);
    }
    expect(lake.rows.join('\n')).not.toContain('lake-ada');
  });

  it('a second run with nothing new writes nothing, not even the manifest', async () => {
    const before = await readFile(join(lakeDir, '_manifest.json'), 'utf8');
    expect(await runLakeExport()).toEqual({ outcome: 'unchanged' });
    expect(await readFile(join(lakeDir, '_manifest.json'), 'utf8')).toBe(before);
  });

  it('after new polls, rewrites exactly the days they changed', async () => {
    // A replayed poll (nothing new) changes nothing.
    await store('ada', [[1, at('2026-03-01', '23:59:59.999'), 200_000]]);
    expect(await runLakeExport()).toEqual({ outcome: 'unchanged' });

    await store('cy', [[5, at('2026-03-05', '22:00:00'), null]]);
    // A context COPY must quote (a comma, quotes, a newline): one record over two lines of its CSV.
    await ingestPlays(db.orm.em.fork(), {
      userId: users.cy!,
      source: 'poll',
      plays: [makePlay(5, at('2026-03-05', '22:05:00'), { msPlayed: null, context: { type: 'playlist', uri: 'spotify:playlist:a,"b"\nc' } })],
    });
    await store('ada', [[6, at('2026-03-06', '01:00:00'), null]]);
    const result = await runLakeExport();
    expect(result).toMatchObject({ outcome: 'written', full: false, daysWritten: 2, daysRemoved: 0, playRowsWritten: 4 });
    // New tracks, artists: the catalogue tables that changed are written again (albums did not change).
    expect(result.outcome === 'written' && result.tablesWritten).toEqual(['artists', 'track_artists', 'tracks']);
    await expectLakeEqualsPostgres();
    expect(Object.keys((await manifest()).plays.days)).toEqual(['2026-03-01', '2026-03-02', '2026-03-05', '2026-03-06']);
  });

  it('after an import of old history, writes the old days it added', async () => {
    await store('ben', [
      [7, at('2019-07-14', '09:00:00'), 45_000],
      [8, at('2019-07-14', '09:05:00'), 10_000],
    ], 'import');
    expect(await runLakeExport()).toMatchObject({ outcome: 'written', full: false, daysWritten: 1, playRowsWritten: 2 });
    await expectLakeEqualsPostgres();
  });

  it('after an account is deleted, its plays leave the lake: days left empty are removed', async () => {
    await db.sql.query('delete from users where id = $1', [users.ada]);
    const result = await runLakeExport();
    // ada alone played on 03-01 and 03-06; 03-02 still has ben's play.
    expect(result).toMatchObject({ outcome: 'written', daysWritten: 1, daysRemoved: 2 });
    await expectLakeEqualsPostgres();
    expect(Object.keys((await manifest()).plays.days)).toEqual(['2019-07-14', '2026-03-02', '2026-03-05']);
  });

  it('a crash in the middle of a run leaves every visible day complete; the next run makes the lake exact', async () => {
    await store('ben', [[9, at('2026-03-02', '20:00:00'), 1_000]]);
    await store('cy', [[10, at('2026-04-01', '20:00:00'), 2_000]]);
    await store('cy', [[11, at('2026-04-02', '20:00:00'), 3_000]]);
    const before = await readLakePlays(lakeDir);
    const crashing = new DirectoryTarget(lakeDir);
    await crashing.prepare();
    let puts = 0;
    const putFile = crashing.putFile.bind(crashing);
    crashing.putFile = async (key, path) => {
      if (++puts === 2) throw new Error('the process died here');
      return putFile(key, path);
    };
    await expect(runLakeExport(crashing)).rejects.toThrow('the process died here');

    // Every file is whole: DuckDB reads them all; each day holds either what it held or what it holds now.
    const during = await readLakePlays(lakeDir);
    const now = await postgresPlays();
    for (const day of during.totals) {
      const old = before.totals.find((total) => total.user === day.user && total.day === day.day);
      const current = now.totals.find((total) => total.user === day.user && total.day === day.day);
      expect([old, current]).toContainEqual(day);
    }

    expect(await runLakeExport()).toMatchObject({ outcome: 'written', daysWritten: 3 });
    await expectLakeEqualsPostgres();
    expect(await runLakeExport()).toEqual({ outcome: 'unchanged' });
  });

  it('deletes the staged plays a crashed run left in the work directory once they are hours old, and leaves nothing of its own', async () => {
    const stale = join(workDir, 'playlog-lake-export-stage-crashed');
    const recent = join(workDir, 'playlog-lake-export-stage-running');
    for (const dir of [stale, recent]) {
      await mkdir(dir);
      await writeFile(join(dir, 'plays-2026-03-01.csv'), 'a play');
    }
    const hoursAgo = new Date(Date.now() - 7 * 3600_000);
    await utimes(stale, hoursAgo, hoursAgo);
    await runLakeExport();
    expect(await readdir(workDir)).toEqual(['playlog-lake-export-stage-running']);
    await rm(recent, { recursive: true });
  });

  it('a changed pseudonym key rewrites the whole lake under the new pseudonyms', async () => {
    const rekeyed: UserIdMode = { mode: 'pseudonymous', key: 'another-pseudonym-key-of-at-least-32-chars' };
    expect(await runLakeExport(new DirectoryTarget(lakeDir), rekeyed)).toMatchObject({ outcome: 'written', full: true });
    await expectLakeEqualsPostgres(lakeDir, rekeyed);
  });

  it('with LAKE_USER_IDS=plain, writes Playlog’s user ids', async () => {
    const plainDir = await mkdtemp(join(tmpdir(), 'playlog-lake-plain-'));
    try {
      expect(await runLakeExport(new DirectoryTarget(plainDir), { mode: 'plain' })).toMatchObject({ outcome: 'written', full: true });
      await expectLakeEqualsPostgres(plainDir, { mode: 'plain' });
      expect((await readLakePlays(plainDir)).totals.map((total) => total.user)).toContain(users.ben);
    } finally {
      await rm(plainDir, { recursive: true, force: true });
    }
  });
});
