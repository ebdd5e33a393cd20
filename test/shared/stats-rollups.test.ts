import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlayInput } from '../../services/shared/plays/play-input.js';
import { ingestPlays } from '../../services/shared/plays/ingest-plays.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertUser, makePlay } from '../support/plays.js';

/**
 * The rollups the statistics read (stats_quarters, stats_tracks) against a plain recount of
 * listening_events, after random histories stored in random batches — two connections at once for the
 * same user, replays, short imported plays — and deletions of plays and of whole accounts.
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

/** Compares both rollups with the recount; returns how many quarter rows there are. */
async function expectRollupsExact(): Promise<number> {
  const quarters = await db.sql.query('select user_id, quarter, plays, ms_played from stats_quarters order by 1, 2');
  expect(quarters.rows).toEqual((await db.sql.query(RECOUNT_QUARTERS)).rows);
  const tracks = await db.sql.query('select user_id, track_id, plays, ms_played, first_played_at, last_played_at from stats_tracks order by 1, 2');
  expect(tracks.rows).toEqual((await db.sql.query(RECOUNT_TRACKS)).rows);
  return quarters.rows.length;
}

const base = Date.parse('2026-03-28T22:00:00Z');
const arbitraryPlay = fc.record({
  second: fc.integer({ min: 0, max: 4 * 86_400 }),
  track: fc.integer({ min: 0, max: 9 }),
  source: fc.constantFrom('poll' as const, 'import' as const),
  ms: fc.constantFrom(null, 0, 29_999, 30_000, 150_000),
});

describe('statistics rollups', () => {
  it('equal a recount of the plays after random stores, concurrent stores, replays and deletions (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(arbitraryPlay, { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 3 }),
        fc.array(arbitraryPlay, { maxLength: 30 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        async (perUser, concurrent, deleteEvery, deleteAccount) => {
          await db.sql.query('delete from users');
          const users = [];
          for (let i = 0; i < perUser.length; i++) users.push(await insertUser(db.sql, `rollup-user-${i}`));
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
          // Two connections storing for the first user at once, overlapping.
          const overlapping = [...concurrent.map(toInput), ...perUser[0]!.slice(0, 3).map(toInput)];
          await Promise.all([store(users[0]!, overlapping), store(users[0]!, [...overlapping].reverse())]);
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
