import { execFile } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlayInput } from '../../services/features/plays/play-input.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { rebuildUserRollups } from '../../services/features/statistics/data/stats-rebuild.repository.js';
import { setUserTimeZone } from '../../services/features/statistics/data/stats-zone.repository.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertUser, makePlay } from '../support/plays.js';
import { PLAYLOG } from '../support/playlog.js';

/**
 * The rollups the statistics read (stats_quarters, stats_tracks, and stats_days and stats_clock in each
 * user's own zone) against a plain recount of listening_events, after random histories stored in random
 * batches — two connections at once for the same user, replays, short imported plays, changes of zone
 * while plays are being stored — and deletions of plays and of whole accounts.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('stats_rollups');
});
afterAll(async () => {
  await db?.drop();
});

const COUNTED = `(e.source = 'poll' or e.ms_played >= 30000)`;
const RECOUNT_QUARTERS = `
  select e.user_id, date_bin('15 minutes', e.played_at, timestamptz '2000-01-01 00:00:00+00') as quarter, count(*)::int as plays, sum(coalesce(e.ms_played, t.duration_ms))::bigint as ms_played
    from listening_events e join tracks t on t.id = e.track_id where ${COUNTED} group by 1, 2 order by 1, 2`;
const RECOUNT_TRACKS = `
  select e.user_id, e.track_id, count(*)::int as plays, sum(coalesce(e.ms_played, t.duration_ms))::bigint as ms_played, min(e.played_at) as first_played_at, max(e.played_at) as last_played_at
    from listening_events e join tracks t on t.id = e.track_id where ${COUNTED} group by 1, 2 order by 1, 2`;

const RECOUNT_DAYS = `
  select e.user_id, to_char((e.played_at at time zone u.time_zone)::date, 'YYYY-MM-DD') as day, count(*)::int as plays, sum(coalesce(e.ms_played, t.duration_ms))::bigint as ms_played
    from listening_events e join tracks t on t.id = e.track_id join users u on u.id = e.user_id where ${COUNTED} group by 1, 2 order by 1, 2`;
const RECOUNT_CLOCK = `
  select e.user_id, extract(isodow from e.played_at at time zone u.time_zone)::int as weekday, extract(hour from e.played_at at time zone u.time_zone)::int as hour,
         count(*)::int as plays, sum(coalesce(e.ms_played, t.duration_ms))::bigint as ms_played
    from listening_events e join tracks t on t.id = e.track_id join users u on u.id = e.user_id where ${COUNTED} group by 1, 2, 3 order by 1, 2, 3`;

/** Compares every rollup with the recount, the local ones in each user's own zone; returns how many quarter rows there are. */
async function expectRollupsExact(): Promise<number> {
  const quarters = await db.sql.query('select user_id, quarter, plays, ms_played from stats_quarters order by 1, 2');
  expect(quarters.rows).toEqual((await db.sql.query(RECOUNT_QUARTERS)).rows);
  const tracks = await db.sql.query('select user_id, track_id, plays, ms_played, first_played_at, last_played_at from stats_tracks order by 1, 2');
  expect(tracks.rows).toEqual((await db.sql.query(RECOUNT_TRACKS)).rows);
  const days = await db.sql.query(`select user_id, to_char(day, 'YYYY-MM-DD') as day, plays, ms_played from stats_days order by 1, 2`);
  expect(days.rows).toEqual((await db.sql.query(RECOUNT_DAYS)).rows);
  const clock = await db.sql.query('select user_id, weekday::int, hour::int, plays, ms_played from stats_clock order by 1, 2, 3');
  expect(clock.rows).toEqual((await db.sql.query(RECOUNT_CLOCK)).rows);
  return quarters.rows.length;
}

const base = Date.parse('2026-03-28T22:00:00Z');
/** Zones with a daylight saving change in the plays' days (Europe/Berlin springs forward on the 29th), and offsets of 30 and 45 minutes. */
const ZONES = ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Eucla', 'America/New_York'] as const;
const arbitraryPlay = fc.record({
  second: fc.integer({ min: 0, max: 4 * 86_400 }),
  track: fc.integer({ min: 0, max: 9 }),
  source: fc.constantFrom('poll' as const, 'import' as const),
  ms: fc.constantFrom(null, 0, 29_999, 30_000, 150_000),
});

describe('statistics rollups', () => {
  it('are rebuilt from the plays by stats:rebuild, idempotently, whatever was done to them', async () => {
    await db.sql.query('delete from users');
    const userId = await insertUser(db.sql, 'rebuilt-user');
    await ingestPlays(db.orm.em.fork(), { userId, plays: [0, 1, 2, 3].map((i) => makePlay(i, new Date(base + i * 3_600_000).toISOString(), { msPlayed: null })), source: 'poll' });
    const before = await db.sql.query('select (select count(*) from play_counts) + (select count(*) from stats_quarters) + (select count(*) from stats_tracks) + (select count(*) from stats_days) + (select count(*) from stats_clock) as rows');
    await db.sql.query(`update stats_quarters set plays = plays + 7; delete from stats_tracks where track_id = 'track00000000000000002'; update play_counts set plays = 0; update stats_days set plays = plays + 3; delete from stats_clock`);
    expect(await rebuildUserRollups(db.orm.em.fork(), userId)).toBe(true);
    expect(await rebuildUserRollups(db.orm.em.fork(), userId)).toBe(true);
    await expectRollupsExact();
    expect((await db.sql.query('select sum(plays)::int as plays from play_counts')).rows[0].plays).toBe(4);
    expect((await db.sql.query('select (select count(*) from play_counts) + (select count(*) from stats_quarters) + (select count(*) from stats_tracks) + (select count(*) from stats_days) + (select count(*) from stats_clock) as rows')).rows).toEqual(before.rows);
    expect(await rebuildUserRollups(db.orm.em.fork(), '00000000-0000-4000-8000-000000000000')).toBe(false);
  });

  it('playlog stats-rebuild rebuilds every user, printing where to resume', async () => {
    await db.sql.query(`update stats_quarters set plays = plays + 1`);
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile('sh', [PLAYLOG, 'stats-rebuild', ...args], { env: { PATH: process.env.PATH, DATABASE_URL: db.url, LOG_LEVEL: 'warn' }, timeout: 60_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
    const result = await run([]);
    expect(result.code, result.stderr).toBe(0);
    const [userId] = (await db.sql.query('select id from users')).rows.map((row: { id: string }) => row.id);
    expect(result.stdout).toContain(`rebuilt 1 user(s) of 1; last ${userId} (resume with --after ${userId})`);
    await expectRollupsExact();
    const resumed = await run(['--after', userId!]);
    expect(resumed.stdout).toContain('statistics rollups rebuilt for 0 user(s)');
  });

  it('equal a recount of the plays after random stores, concurrent stores, replays and deletions (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(arbitraryPlay, { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 3 }),
        fc.array(arbitraryPlay, { maxLength: 30 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        fc.array(fc.constantFrom(...ZONES), { minLength: 4, maxLength: 4 }),
        async (perUser, concurrent, deleteEvery, deleteAccount, zones) => {
          await db.sql.query('delete from users');
          const users = [];
          for (let i = 0; i < perUser.length; i++) users.push(await insertUser(db.sql, `rollup-user-${i}`));
          for (let i = 0; i < users.length; i++) await setUserTimeZone(db.orm.em.fork(), users[i]!, zones[i]!);
          const toInput = (drawn: { second: number; track: number; source: 'poll' | 'import'; ms: number | null }): PlayInput & { source: 'poll' | 'import' } => ({
            ...makePlay(drawn.track, new Date(base + drawn.second * 1_000).toISOString(), { msPlayed: drawn.source === 'poll' ? null : (drawn.ms ?? 1_000) }),
            source: drawn.source,
          });
          const store = (userId: string, plays: Array<PlayInput & { source: 'poll' | 'import' }>) =>
            Promise.all(
              (['poll', 'import'] as const).map(async (source) => {
                const batch = plays.filter((play) => play.source === source);
                if (batch.length > 0) await ingestPlays(db.orm.em.fork(), { userId, plays: batch, source });
              }),
            );
          for (let i = 0; i < users.length; i++) {
            const plays = perUser[i]!.map(toInput);
            await store(users[i]!, plays);
            await store(users[i]!, plays.slice(0, Math.ceil(plays.length / 2))); // a replay
          }
          // Two connections storing for the first user at once, overlapping, while the user changes zone.
          const overlapping = [...concurrent.map(toInput), ...perUser[0]!.slice(0, 3).map(toInput)];
          await Promise.all([store(users[0]!, overlapping), store(users[0]!, [...overlapping].reverse()), setUserTimeZone(db.orm.em.fork(), users[0]!, zones[3]!)]);
          const polled = perUser.flat().some((drawn) => drawn.source === 'poll');
          expect((await expectRollupsExact()) > 0 || !polled).toBe(true);

          if (deleteEvery > 0) {
            await db.sql.query(`delete from listening_events where (extract(epoch from played_at)::bigint / 60) % $1 = 0`, [deleteEvery + 1]);
            await expectRollupsExact();
          }
          if (deleteAccount) {
            await db.sql.query('delete from users where id = $1', [users.at(-1)]);
            await expectRollupsExact();
          }
        },
      ),
      { numRuns: 30 },
    );
  }, 120_000);
});
