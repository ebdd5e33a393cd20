import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPlays, ingestPlaysOfUsers } from '../../services/features/plays/ingest-plays.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertUser, makePlay } from '../support/plays.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('ingest');
});
afterAll(async () => {
  await db?.drop();
});

const countPlays = async (userId: string) =>
  Number((await db.sql.query('select count(*) from listening_events where user_id = $1', [userId])).rows[0].count);

describe('ingestPlays', () => {
  it('stores a replayed batch once and reports 0 new the second time', async () => {
    const userId = await insertUser(db.sql, 'replay-user');
    const batch = Array.from({ length: 50 }, (_, i) => makePlay(i, new Date(Date.UTC(2026, 0, 1, 0, i * 4)).toISOString()));

    const first = await ingestPlays(db.orm.em.fork(), { userId, plays: batch, source: 'poll' });
    const second = await ingestPlays(db.orm.em.fork(), { userId, plays: batch, source: 'poll' });

    expect(first).toEqual({ received: 50, inserted: 50 });
    expect(second).toEqual({ received: 50, inserted: 0 });
    expect(await countPlays(userId)).toBe(50);
    const tracks = await db.sql.query(`select count(*) from tracks where id like 'track%'`);
    expect(Number(tracks.rows[0].count)).toBe(50);
    const artists = await db.sql.query(`select artist_id from track_artists where track_id = $1 order by position`, [batch[3]!.track.id]);
    expect(artists.rows.map((r) => r.artist_id)).toEqual(['artist000000000000001', 'artist000000000000003']);
  });

  it('stores the union of two concurrent overlapping batches, with no duplicate and no error', async () => {
    const userId = await insertUser(db.sql, 'concurrent-user');
    const at = (i: number) => new Date(Date.UTC(2026, 1, 1, 0, i * 4)).toISOString();
    const a = Array.from({ length: 60 }, (_, i) => makePlay(100 + i, at(i)));
    const b = Array.from({ length: 60 }, (_, i) => makePlay(130 + i, at(30 + i)));

    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => ingestPlays(db.orm.em.fork(), { userId, plays: i % 2 ? a : b, source: 'poll' })),
    );

    expect(await countPlays(userId)).toBe(90);
    expect(results.reduce((sum, r) => sum + r.inserted, 0)).toBe(90);
  });

  it('keeps the same play of two users as two rows', async () => {
    const alice = await insertUser(db.sql, 'alice');
    const bob = await insertUser(db.sql, 'bob');
    const play = makePlay(7, '2026-03-01T10:00:00.000Z');

    await ingestPlays(db.orm.em.fork(), { userId: alice, plays: [play], source: 'poll' });
    await ingestPlays(db.orm.em.fork(), { userId: bob, plays: [play], source: 'poll' });

    expect(await countPlays(alice)).toBe(1);
    expect(await countPlays(bob)).toBe(1);
  });

  it('treats played_at with and without milliseconds as the same play', async () => {
    const userId = await insertUser(db.sql, 'millis-user');

    const first = await ingestPlays(db.orm.em.fork(), { userId, plays: [makePlay(9, '2026-03-01T10:00:12.000Z')], source: 'poll' });
    const second = await ingestPlays(db.orm.em.fork(), { userId, plays: [makePlay(9, '2026-03-01T10:00:12Z')], source: 'poll' });

    expect([first.inserted, second.inserted]).toEqual([1, 0]);
    const stored = await db.sql.query(`select to_char(played_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at from listening_events where user_id = $1`, [userId]);
    expect(stored.rows).toEqual([{ at: '2026-03-01T10:00:12.000Z' }]);
  });

  it('advances the poll cursor with the insert and never moves it back', async () => {
    const userId = await insertUser(db.sql, 'cursor-user');
    const cursor = async () => (await db.sql.query('select after_cursor_ms from poll_state where user_id = $1', [userId])).rows[0]?.after_cursor_ms;

    await ingestPlays(db.orm.em.fork(), { userId, plays: [makePlay(1, '2026-04-01T00:00:00Z')], source: 'poll', advanceCursorToMs: 1_775_001_600_000 });
    expect(await cursor()).toBe('1775001600000');
    await ingestPlays(db.orm.em.fork(), { userId, plays: [], source: 'poll', advanceCursorToMs: 1_000 });
    expect(await cursor()).toBe('1775001600000');
  });

  it('records a poll’s success with its last page, ends the failure streak, and keeps the cursor where it is', async () => {
    const userId = await insertUser(db.sql, 'success-user');
    const state = async () =>
      (await db.sql.query('select after_cursor_ms, last_polled_at, last_success_at, consecutive_failures, xmin from poll_state where user_id = $1', [userId])).rows[0];
    await db.sql.query(`insert into poll_state (user_id, after_cursor_ms, consecutive_failures, last_error) values ($1, 5000, 3, 'Spotify timed out')`, [userId]);

    // A page that is not the poll's last, and replays nothing new: no new row version.
    const before = await state();
    await ingestPlays(db.orm.em.fork(), { userId, plays: [], source: 'poll', advanceCursorToMs: 4_000 });
    expect((await state()).xmin).toBe(before.xmin);

    const at = new Date('2026-11-23T10:00:00.123Z');
    await ingestPlays(db.orm.em.fork(), { userId, plays: [makePlay(3, '2026-04-01T00:00:00Z')], source: 'poll', advanceCursorToMs: 4_000, pollSucceededAt: at });
    expect(await state()).toMatchObject({ after_cursor_ms: '5000', last_polled_at: at, last_success_at: at, consecutive_failures: 0 });
    const error = await db.sql.query('select last_error from poll_state where user_id = $1', [userId]);
    expect(error.rows[0].last_error).toBe('Spotify timed out');
  });

  it('takes part in the caller’s transaction: a rollback stores nothing', async () => {
    const userId = await insertUser(db.sql, 'transaction-user');
    const em = db.orm.em.fork();

    await expect(
      em.transactional(async (tem) => {
        const result = await ingestPlays(tem, { userId, plays: [makePlay(500, '2026-05-01T00:00:00Z')], source: 'import' });
        expect(result.inserted).toBe(1);
        throw new Error('chunk abandoned');
      }),
    ).rejects.toThrow('chunk abandoned');

    expect(await countPlays(userId)).toBe(0);
  });

  it('rejects a batch with an invalid timestamp and stores nothing of it', async () => {
    const userId = await insertUser(db.sql, 'invalid-user');
    const batch = [makePlay(1, '2026-04-01T00:00:00Z'), makePlay(2, 'yesterday')];

    await expect(ingestPlays(db.orm.em.fork(), { userId, plays: batch, source: 'poll' })).rejects.toThrow(/played_at "yesterday"/);
    expect(await countPlays(userId)).toBe(0);
  });
});

describe('ingestPlaysOfUsers', () => {
  it('stores several users’ plays in one statement, each user’s count of new plays their own, each play once', async () => {
    const users = await Promise.all(['multi-a', 'multi-b', 'multi-c'].map((name) => insertUser(db.sql, name)));
    const at = (i: number) => new Date(Date.UTC(2026, 6, 1, 0, i * 4)).toISOString();
    // The same tracks for every user: one catalogue row each, one play per user each.
    const plays = (count: number) => Array.from({ length: count }, (_, i) => makePlay(700 + i, at(i)));
    const first = await ingestPlaysOfUsers(db.orm.em.fork(), 'listenbrainz', [
      { userId: users[0]!, plays: plays(3) },
      { userId: users[1]!, plays: plays(5) },
      { userId: users[2]!, plays: [] },
    ]);
    expect(first).toEqual([
      { received: 3, inserted: 3 },
      { received: 5, inserted: 5 },
      { received: 0, inserted: 0 },
    ]);
    // Sent again with one new play for the third user: only that one is new.
    const again = await ingestPlaysOfUsers(db.orm.em.fork(), 'listenbrainz', [
      { userId: users[2]!, plays: plays(1) },
      { userId: users[0]!, plays: plays(3) },
    ]);
    expect(again).toEqual([
      { received: 1, inserted: 1 },
      { received: 3, inserted: 0 },
    ]);
    expect(await Promise.all(users.map(countPlays))).toEqual([3, 5, 1]);
    const tracks = await db.sql.query(`select count(*) from tracks where id like 'track%' and id >= 'track00000000000000700' and id < 'track00000000000000705'`);
    expect(Number(tracks.rows[0].count)).toBe(5);
  });

  it('stores concurrent batches of overlapping users in any order with no deadlock, each play once', async () => {
    const users = await Promise.all(Array.from({ length: 6 }, (_, i) => insertUser(db.sql, `overlap-${i}`)));
    const at = (i: number) => new Date(Date.UTC(2026, 7, 1, 0, i * 4)).toISOString();
    // Each batch: four of the six users, in an order of its own, each with plays of new tracks the others share.
    const batches = Array.from({ length: 24 }, (_, b) => {
      const chosen = [0, 1, 2, 3].map((k) => users[(b * 5 + k * (1 + (b % 5))) % users.length]!);
      return [...new Set(chosen)].map((userId, k) => ({ userId, plays: Array.from({ length: 4 }, (_, i) => makePlay(800 + ((b + i + k) % 12), at((b + i) % 16))) }));
    });
    const results = await Promise.all(batches.map((batch) => ingestPlaysOfUsers(db.orm.em.fork(), 'poll', batch)));
    const stored = await Promise.all(users.map(countPlays));
    // Every play reported is stored once: the distinct (user, instant, track) triples sent.
    const distinct = users.map((userId) => new Set(batches.flatMap((batch) => batch.filter((entry) => entry.userId === userId).flatMap((entry) => entry.plays.map((play) => `${String(play.playedAt)}/${play.track.id}`)))).size);
    expect(stored).toEqual(distinct);
    // And each new row was counted for exactly one batch's user.
    expect(results.flat().reduce((sum, result) => sum + result.inserted, 0)).toBe(distinct.reduce((sum, n) => sum + n, 0));
  });
});

