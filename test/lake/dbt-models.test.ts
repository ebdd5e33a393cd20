import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryDuckDb, runDbtBuild, type DbtBuild } from '../support/dbt.js';

// A small lake written by hand, in the layout lake:export writes (docs/lake.md): one zstd Parquet file per
// UTC day under plays/year=YYYY/month=MM/day=DD/, one per catalogue table.

/** A pseudonymous user id (64 hex characters) and a plain one (LAKE_USER_IDS=plain), one of each. */
const ADA = 'a'.repeat(8) + '0123456789abcdef'.repeat(3) + 'f'.repeat(8);
const BEN = '5b0e8f3c-1d2a-4c6e-9f70-8a1b2c3d4e5f';

const TRACKS = [
  { id: 'track-one', duration: 180_000, album: 'album-one', artists: ['artist-solo'] },
  // Two artists: the play is the main artist's (position 0) in top_artists_per_month.
  { id: 'track-duet', duration: 200_000, album: 'album-one', artists: ['artist-lead', 'artist-solo'] },
  { id: 'track-long', duration: 240_000, album: null, artists: ['artist-third'] },
];
const ARTISTS: Array<[id: string, name: string]> = [
  ['artist-lead', 'Lead'],
  ['artist-solo', 'Solo'],
  ['artist-third', 'Third'],
];
type Play = [user: string, playedAt: string, track: string, source: 'poll' | 'import', msPlayed: number | null];
const PLAYS: Play[] = [
  [ADA, '2026-01-30T10:00:00Z', 'track-one', 'poll', null],
  [ADA, '2026-01-30T11:00:00Z', 'track-one', 'poll', null],
  // Skipped after 20 s: in the lake, counted nowhere (not even as a distinct track).
  [ADA, '2026-01-30T12:00:00Z', 'track-duet', 'import', 20_000],
  [ADA, '2026-01-30T13:00:00Z', 'track-long', 'poll', null],
  // Exactly 30 s: counted. The last moment of January…
  [ADA, '2026-01-31T23:59:59.900Z', 'track-duet', 'import', 30_000],
  // …and 0.2 s later a new UTC day and a new month.
  [ADA, '2026-02-01T00:00:00.100Z', 'track-long', 'import', 45_000],
  // No counted play on 2026-02-02: the streak is broken.
  [ADA, '2026-02-03T10:00:00Z', 'track-duet', 'poll', null],
  // A day whose only play does not count is no active day.
  [ADA, '2026-02-05T10:00:00Z', 'track-one', 'import', 29_999],
  [BEN, '2026-01-31T20:00:00Z', 'track-long', 'poll', null],
  [BEN, '2026-02-01T08:00:00Z', 'track-duet', 'poll', null],
  [BEN, '2026-02-01T09:00:00Z', 'track-duet', 'import', 150_000],
  [BEN, '2026-02-02T07:00:00Z', 'track-one', 'poll', null],
  // A second three-day streak: the later one is the longest.
  [BEN, '2026-02-10T18:00:00Z', 'track-long', 'poll', null],
  [BEN, '2026-02-11T18:00:00Z', 'track-long', 'poll', null],
  [BEN, '2026-02-12T18:00:00Z', 'track-long', 'poll', null],
];

const sqlText = (value: string | null) => (value === null ? 'null' : `'${value.replaceAll("'", "''")}'`);
const values = (rows: Array<Array<string | number | null>>) =>
  rows.map((row) => `(${row.map((v) => (typeof v === 'number' ? String(v) : sqlText(v))).join(', ')})`).join(',\n');

async function writeLake(root: string): Promise<void> {
  const days = [...new Set(PLAYS.map(([, at]) => at.slice(0, 10)))];
  const dayDir = (day: string) => join(root, 'plays', `year=${day.slice(0, 4)}`, `month=${day.slice(5, 7)}`, `day=${day.slice(8, 10)}`);
  for (const dir of [...days.map(dayDir), ...['tracks', 'albums', 'artists', 'track_artists'].map((t) => join(root, t))]) await mkdir(dir, { recursive: true });
  const parquet = `(format parquet, compression zstd)`;
  await queryDuckDb(
    ':memory:',
    `
    create table plays (user_id varchar, played_at timestamptz, track_id varchar, ms_played integer, source varchar,
                        context_type varchar, context_uri varchar, ingested_at timestamptz);
    insert into plays select user_id, played_at::timestamptz, track_id, ms_played, source, 'album', 'spotify:album:album-one', '2026-03-01 00:00:00+00'
      from (values ${values(PLAYS)}) v(user_id, played_at, track_id, source, ms_played);
    create table tracks (id varchar, name varchar, uri varchar, duration_ms integer, album_id varchar);
    insert into tracks values ${values(TRACKS.map((t) => [t.id, `Song ${t.id}`, `spotify:track:${t.id}`, t.duration, t.album]))};
    create table albums (id varchar, name varchar, uri varchar, release_date varchar, image_url varchar);
    insert into albums values ('album-one', 'Album One', 'spotify:album:album-one', '2025-11', null);
    create table artists (id varchar, name varchar, uri varchar);
    insert into artists values ${values(ARTISTS.map(([id, name]) => [id, name, `spotify:artist:${id}`]))};
    create table track_artists (track_id varchar, position smallint, artist_id varchar);
    insert into track_artists values ${values(TRACKS.flatMap((t) => t.artists.map((artist, position) => [t.id, position, artist])))};
    ${days.map((day) => `copy (select * from plays where timezone('UTC', played_at)::date = date '${day}' order by played_at) to ${sqlText(join(dayDir(day), 'part-00000.parquet'))} ${parquet};`).join('\n')}
    ${['tracks', 'albums', 'artists', 'track_artists'].map((t) => `copy ${t} to ${sqlText(join(root, t, 'part-00000.parquet'))} ${parquet};`).join('\n')}
    `,
  );
}

/** Every file under analytics/, to show that a build writes nothing into the repository. */
const projectFiles = async () => (await readdir(new URL('../../analytics', import.meta.url).pathname, { recursive: true })).sort();

let lakeDir: string;
let build: DbtBuild;
let filesBefore: string[];

beforeAll(async () => {
  lakeDir = await mkdtemp(join(tmpdir(), 'playlog-dbt-lake-'));
  await writeLake(lakeDir);
  filesBefore = await projectFiles();
  // Fourteen hours ahead of UTC: a model that took a play's day from played_at in the session's zone
  // would move it to the next day.
  build = await runDbtBuild(lakeDir, { env: { TZ: 'Pacific/Kiritimati' } });
}, 180_000);
afterAll(async () => {
  await build?.remove();
  if (lakeDir) await rm(lakeDir, { recursive: true, force: true });
});

describe('the dbt starter (analytics/) over a lake', () => {
  it('builds: every model and every test passes, and nothing is written into the repository', async () => {
    expect(build.code, build.output).toBe(0);
    expect(build.output).toMatch(/Completed successfully/);
    // Three models, the generic tests on them and on the sources, and the singular tests.
    expect(build.output).toMatch(/PASS=\d+ WARN=0 ERROR=0 SKIP=0/);
    expect(Number(/PASS=(\d+)/.exec(build.output)?.[1])).toBeGreaterThanOrEqual(40);
    expect(await projectFiles()).toEqual(filesBefore);
  });

  it('daily_plays_per_user: counted plays, listening time and distinct tracks per listener and UTC day', async () => {
    const rows = await build.query(`
      select user_id, day::varchar as day, plays::int as plays, ms_played::int as ms, distinct_tracks::int as tracks
        from daily_plays_per_user order by user_id = '${ADA}' desc, day`);
    expect(rows).toEqual([
      // Two polls of a 3-minute track and one of a 4-minute one; the 20 s import left out.
      { user_id: ADA, day: '2026-01-30', plays: 3, ms: 600_000, tracks: 2 },
      { user_id: ADA, day: '2026-01-31', plays: 1, ms: 30_000, tracks: 1 },
      { user_id: ADA, day: '2026-02-01', plays: 1, ms: 45_000, tracks: 1 },
      { user_id: ADA, day: '2026-02-03', plays: 1, ms: 200_000, tracks: 1 },
      { user_id: BEN, day: '2026-01-31', plays: 1, ms: 240_000, tracks: 1 },
      // A poll (the track's 200 s) and an import (its own 150 s) of the same track.
      { user_id: BEN, day: '2026-02-01', plays: 2, ms: 350_000, tracks: 1 },
      { user_id: BEN, day: '2026-02-02', plays: 1, ms: 180_000, tracks: 1 },
      { user_id: BEN, day: '2026-02-10', plays: 1, ms: 240_000, tracks: 1 },
      { user_id: BEN, day: '2026-02-11', plays: 1, ms: 240_000, tracks: 1 },
      { user_id: BEN, day: '2026-02-12', plays: 1, ms: 240_000, tracks: 1 },
    ]);
  });

  it('top_artists_per_month: a play goes to its main artist; ranked by plays, then listening time', async () => {
    const rows = await build.query(`
      select user_id, month::varchar as month, rank::int as rank, artist_id, artist_name, plays::int as plays, ms_played::int as ms
        from top_artists_per_month order by user_id = '${ADA}' desc, month, rank`);
    expect(rows).toEqual([
      { user_id: ADA, month: '2026-01-01', rank: 1, artist_id: 'artist-solo', artist_name: 'Solo', plays: 2, ms: 360_000 },
      // One play each: the longer listening time ranks first.
      { user_id: ADA, month: '2026-01-01', rank: 2, artist_id: 'artist-third', artist_name: 'Third', plays: 1, ms: 240_000 },
      { user_id: ADA, month: '2026-01-01', rank: 3, artist_id: 'artist-lead', artist_name: 'Lead', plays: 1, ms: 30_000 },
      { user_id: ADA, month: '2026-02-01', rank: 1, artist_id: 'artist-lead', artist_name: 'Lead', plays: 1, ms: 200_000 },
      { user_id: ADA, month: '2026-02-01', rank: 2, artist_id: 'artist-third', artist_name: 'Third', plays: 1, ms: 45_000 },
      { user_id: BEN, month: '2026-01-01', rank: 1, artist_id: 'artist-third', artist_name: 'Third', plays: 1, ms: 240_000 },
      { user_id: BEN, month: '2026-02-01', rank: 1, artist_id: 'artist-third', artist_name: 'Third', plays: 3, ms: 720_000 },
      { user_id: BEN, month: '2026-02-01', rank: 2, artist_id: 'artist-lead', artist_name: 'Lead', plays: 2, ms: 350_000 },
      // Credited second on the duet, whose two plays are Lead's: only its own track's play.
      { user_id: BEN, month: '2026-02-01', rank: 3, artist_id: 'artist-solo', artist_name: 'Solo', plays: 1, ms: 180_000 },
    ]);
  });

  it('listening_streaks: runs of consecutive active UTC days, across a month, broken by a day without a counted play', async () => {
    const rows = await build.query(`
      select user_id, start_day::varchar as start_day, end_day::varchar as end_day, length_days::int as length_days, plays::int as plays, is_longest
        from listening_streaks order by user_id = '${ADA}' desc, start_day`);
    expect(rows).toEqual([
      { user_id: ADA, start_day: '2026-01-30', end_day: '2026-02-01', length_days: 3, plays: 5, is_longest: true },
      { user_id: ADA, start_day: '2026-02-03', end_day: '2026-02-03', length_days: 1, plays: 1, is_longest: false },
      { user_id: BEN, start_day: '2026-01-31', end_day: '2026-02-02', length_days: 3, plays: 4, is_longest: false },
      // As long as the first: the later one is the longest.
      { user_id: BEN, start_day: '2026-02-10', end_day: '2026-02-12', length_days: 3, plays: 3, is_longest: true },
    ]);
  });
});
