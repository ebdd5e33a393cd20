import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportLake } from '../../services/lake-export/export-lake.js';
import { DirectoryTarget } from '../../services/lake-export/targets/directory-target.js';
import { userKeys, type UserIdMode } from '../../services/lake-export/user-pseudonyms.js';
import { LakeSource } from '../../services/features/lake/data/lake.repository.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { runDbtBuild, type DbtBuild } from '../support/dbt.js';
import { insertUser, makePlay } from '../support/plays.js';

const IDS: UserIdMode = { mode: 'pseudonymous', key: 'the-dbt-test-pseudonym-key-0123456789abcd' };
/** makePlay's tracks last 3 minutes; every track has The Testers first, then Guest N (artist id ending in N). */
const TRACK_MS = 180_000;
const artist = (n: number) => `artist${String(n).padStart(15, '0')}`;

let db: TestDatabase;
let lakeDir: string;
let workDir: string;
let build: DbtBuild;
let ada: string;
let ben: string;

beforeAll(async () => {
  db = await createTestDatabase('dbt');
  lakeDir = await mkdtemp(join(tmpdir(), 'playlog-dbt-lake-'));
  workDir = await mkdtemp(join(tmpdir(), 'playlog-dbt-work-'));
  const adaId = await insertUser(db.sql, 'dbt-ada');
  const benId = await insertUser(db.sql, 'dbt-ben');
  const store = (userId: string, source: 'poll' | 'import' | 'listenbrainz', plays: Array<[number, string, number | null]>) =>
    ingestPlays(db.orm.em.fork(), { userId, source, plays: plays.map(([track, at, ms]) => makePlay(track, at, { msPlayed: ms })) });
  await store(adaId, 'poll', [
    [2, '2026-01-30T10:00:00Z', null],
    [3, '2026-01-31T10:00:00Z', null],
    [5, '2026-02-03T10:00:00Z', null],
  ]);
  await store(adaId, 'import', [
    // Skipped after 20 s: stored, not counted.
    [4, '2026-01-31T23:59:59.900Z', 20_000],
    // A new month, a new UTC day, 0.2 s later.
    [4, '2026-02-01T00:00:00.100Z', 45_000],
  ]);
  await store(benId, 'import', [[2, '2026-02-01T09:00:00Z', 200_000]]);
  await store(benId, 'poll', [[2, '2026-02-01T12:00:00Z', null]]);
  // A listen a player sent: counted whatever its duration (the player decided when to scrobble).
  await store(benId, 'listenbrainz', [[2, '2026-02-02T08:00:00Z', 20_000]]);

  // The lake as lake:export writes it, then dbt over it, as an analyst runs it.
  const source = await LakeSource.open(db.url);
  const target = new DirectoryTarget(lakeDir);
  await target.prepare();
  try {
    await exportLake(source, target, { userIds: IDS, workDir, memoryLimitMb: 64 }, createLogger({ service: 'dbt-test', level: 'silent' }));
  } finally {
    await source.close();
  }
  const keys = userKeys([adaId, benId], IDS);
  [ada, ben] = [keys.get(adaId)!, keys.get(benId)!];
  build = await runDbtBuild(lakeDir);
}, 240_000);
afterAll(async () => {
  await build?.remove();
  await db?.drop();
  await rm(lakeDir, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
});

describe('the dbt starter (analytics/) over a lake written by lake-export', () => {
  it('builds: every model and every test passes', () => {
    expect(build.code, build.output).toBe(0);
    expect(build.output).toMatch(/Completed successfully/);
    // Three models and their tests, the source tests and the singular tests.
    expect(build.output).toMatch(/PASS=\d+ WARN=0 ERROR=0 SKIP=0/);
    expect(Number(/PASS=(\d+)/.exec(build.output)?.[1])).toBeGreaterThanOrEqual(20);
  });

  it('daily_plays_per_user: counted plays and listening time per listener and UTC day, short imports left out', async () => {
    const rows = await build.query(`select user_id, day::varchar as day, plays::int as plays, listened_ms::bigint as ms, distinct_tracks::int as tracks from daily_plays_per_user order by user_id = '${ada}' desc, day`);
    expect(rows).toEqual([
      { user_id: ada, day: '2026-01-30', plays: 1, ms: String(TRACK_MS), tracks: 1 },
      { user_id: ada, day: '2026-01-31', plays: 1, ms: String(TRACK_MS), tracks: 1 },
      { user_id: ada, day: '2026-02-01', plays: 1, ms: '45000', tracks: 1 },
      { user_id: ada, day: '2026-02-03', plays: 1, ms: String(TRACK_MS), tracks: 1 },
      { user_id: ben, day: '2026-02-01', plays: 2, ms: String(200_000 + TRACK_MS), tracks: 1 },
      { user_id: ben, day: '2026-02-02', plays: 1, ms: '20000', tracks: 1 },
    ]);
  });

  it('top_artists_per_month: every credited artist counts a play, ties go to time, then to the id', async () => {
    const rows = await build.query(
      `select user_id, month::varchar as month, rank::int as rank, artist_id, artist_name, plays::int as plays, listened_ms::bigint as ms from top_artists_per_month order by user_id = '${ada}' desc, month, rank`,
    );
    expect(rows).toEqual([
      { user_id: ada, month: '2026-01-01', rank: 1, artist_id: artist(1), artist_name: 'The Testers', plays: 2, ms: String(2 * TRACK_MS) },
      { user_id: ada, month: '2026-01-01', rank: 2, artist_id: artist(2), artist_name: 'Guest 2', plays: 1, ms: String(TRACK_MS) },
      { user_id: ada, month: '2026-01-01', rank: 3, artist_id: artist(3), artist_name: 'Guest 3', plays: 1, ms: String(TRACK_MS) },
      { user_id: ada, month: '2026-02-01', rank: 1, artist_id: artist(1), artist_name: 'The Testers', plays: 2, ms: String(45_000 + TRACK_MS) },
      { user_id: ada, month: '2026-02-01', rank: 2, artist_id: artist(5), artist_name: 'Guest 5', plays: 1, ms: String(TRACK_MS) },
      { user_id: ada, month: '2026-02-01', rank: 3, artist_id: artist(4), artist_name: 'Guest 4', plays: 1, ms: '45000' },
      { user_id: ben, month: '2026-02-01', rank: 1, artist_id: artist(1), artist_name: 'The Testers', plays: 3, ms: String(220_000 + TRACK_MS) },
      { user_id: ben, month: '2026-02-01', rank: 2, artist_id: artist(2), artist_name: 'Guest 2', plays: 3, ms: String(220_000 + TRACK_MS) },
    ]);
  });

  it('listening_streaks: runs of consecutive active UTC days, broken by a day without a counted play', async () => {
    const rows = await build.query(
      `select user_id, first_day::varchar as first_day, last_day::varchar as last_day, days::int as days, plays::int as plays, is_longest from listening_streaks order by user_id = '${ada}' desc, first_day`,
    );
    expect(rows).toEqual([
      { user_id: ada, first_day: '2026-01-30', last_day: '2026-02-01', days: 3, plays: 3, is_longest: true },
      { user_id: ada, first_day: '2026-02-03', last_day: '2026-02-03', days: 1, plays: 1, is_longest: false },
      { user_id: ben, first_day: '2026-02-01', last_day: '2026-02-02', days: 2, plays: 3, is_longest: true },
    ]);
  });
});
