import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { countsAsPlay } from '../../services/features/statistics/counted-play.js';
import { rebuildUserRollups } from '../../services/features/statistics/data/stats-rebuild.repository.js';
import { loadRanking } from '../../services/features/statistics/data/stats-rankings.repository.js';
import { recountActivity } from '../../services/features/statistics/data/stats-recount.repository.js';
import { loadActivity, loadSummary } from '../../services/features/statistics/data/stats.repository.js';
import { COUNTS } from '../../services/features/statistics/data/stats-rules.js';
import { isShortPlay } from '../../services/features/streaming-history/streaming-history-row.js';
import { positionalSql, type Statement } from '../../services/shared/db/statements/statement.js';
import { countsAsPlay as spotifyCountsAsPlay } from '../../services/spotify-emulator/synthetic-listeners.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertUser, makePlay } from '../support/plays.js';

/**
 * The counting rule at its boundary (docs/stats.md: an imported play counts from 30,000 ms on): the SQL
 * function every statistic calls, its TypeScript mirror, the import's short-play flag, the emulator's
 * Spotify, and the statistics themselves — the rollups the triggers keep, the recounts, the rollups
 * rebuilt, and the rollups lessened when the play is deleted — each decide alike for every value.
 */
const BOUNDARY = [
  { ms: 29_999, counts: false },
  { ms: 30_000, counts: true },
  { ms: 30_001, counts: true },
] as const;

let db: TestDatabase;
let userId: string;
const DAY_MS = 86_400_000;
const day0 = Date.parse('2026-02-02T00:00:00Z');
/** Each value's play: its own track and its own UTC day, at noon. */
const trackOf = (index: number) => `track${String(index + 1).padStart(17, '0')}`;
const dayOf = (index: number) => new Date(day0 + index * DAY_MS);

type Observed = Record<string, boolean>;
const observed = new Map<number, Observed>();
const note = (ms: number, what: string, value: boolean) => observed.set(ms, { ...observed.get(ms), [what]: value });

beforeAll(async () => {
  db = await createTestDatabase('counted_play');
  userId = await insertUser(db.sql, 'boundary-listener');
  const plays = BOUNDARY.map(({ ms }, index) => makePlay(index + 1, new Date(dayOf(index).getTime() + DAY_MS / 2).toISOString(), { msPlayed: ms }));
  await ingestPlays(db.orm.em.fork(), { userId, plays, source: 'import' });

  const em = () => db.orm.em.fork();
  const wholeHistory = { userId, timeZone: 'UTC' };
  const first = dayOf(0);
  const last = dayOf(BOUNDARY.length - 1);
  const ranked = async (source: 'rollup' | 'recount') => new Set((await loadRanking(em(), { userId, kind: 'track', order: 'plays', size: 10, source })).items.map((item) => item.id));
  const perDay = (points: Array<{ start: Date; plays: number }>) => new Map(points.map((point) => [point.start.getTime(), point.plays]));

  const rollupTracks = await ranked('rollup');
  const recountTracks = await ranked('recount');
  // In the user's own zone from stats_days, in another zone (the same days at noon) from stats_quarters.
  const localDays = perDay(await loadActivity(em(), wholeHistory, 'day', first, last));
  const quarterDays = perDay(await loadActivity(em(), { userId, timeZone: 'Europe/Berlin' }, 'day', first, last));
  const recountDays = perDay(await recountActivity(em(), wholeHistory, 'day', first, last));
  await db.sql.query(`update stats_quarters set plays = plays + 5; delete from stats_tracks; delete from stats_days`);
  expect(await rebuildUserRollups(em(), userId)).toBe(true);
  const rebuiltTracks = await ranked('rollup');
  const rebuiltDays = perDay(await loadActivity(em(), wholeHistory, 'day', first, last));

  for (const [index, { ms }] of BOUNDARY.entries()) {
    const { rows } = await db.sql.query<{ counts: boolean }>('select playlog_counts_as_play($1, $2) as counts', ['import', ms]);
    note(ms, 'the SQL function', rows[0]!.counts);
    note(ms, 'its TypeScript mirror', countsAsPlay('import', ms));
    note(ms, 'the import (not a short play)', !isShortPlay(ms));
    note(ms, 'the emulator’s Spotify', spotifyCountsAsPlay({ playedAtMs: 0, trackId: trackOf(index), msPlayed: ms, context: null }));
    note(ms, 'the per-track rollup (stats_tracks)', rollupTracks.has(trackOf(index)));
    note(ms, 'the per-day rollup in the own zone (stats_days)', localDays.get(dayOf(index).getTime()) === 1);
    note(ms, 'the quarter-hour rollup (stats_quarters)', quarterDays.get(dayOf(index).getTime() - 3_600_000) === 1);
    note(ms, 'the recounted ranking', recountTracks.has(trackOf(index)));
    note(ms, 'the recounted activity', recountDays.get(dayOf(index).getTime()) === 1);
    note(ms, 'the rebuilt rollups', rebuiltTracks.has(trackOf(index)) && rebuiltDays.get(dayOf(index).getTime()) === 1);
  }

  // Deleting each play takes from the rollups exactly what it added.
  for (const [index, { ms }] of BOUNDARY.entries()) {
    const before = (await loadSummary(em(), wholeHistory)).plays;
    await db.sql.query('delete from listening_events where user_id = $1 and track_id = $2', [userId, trackOf(index)]);
    note(ms, 'the rollups when it is deleted', before - (await loadSummary(em(), wholeHistory)).plays === 1);
  }
});
afterAll(async () => {
  await db?.drop();
});

describe('a play at the counting boundary', () => {
  for (const { ms, counts } of BOUNDARY) {
    it(`of ${ms} ms is ${counts ? 'counted' : 'not counted'} by every part of Playlog alike`, () => {
      const seen = observed.get(ms)!;
      expect(Object.keys(seen).length).toBeGreaterThanOrEqual(11);
      expect(seen).toEqual(Object.fromEntries(Object.keys(seen).map((what) => [what, counts])));
    });
  }

  it('of a poll counts whatever its duration, in SQL and in TypeScript', async () => {
    const { rows } = await db.sql.query<{ counts: boolean }>(`select playlog_counts_as_play('poll', null) as counts`);
    expect([rows[0]!.counts, countsAsPlay('poll', null)]).toEqual([true, true]);
    // A ListenBrainz listen counts however long it lasted, or without a duration: its player decided when to scrobble.
    for (const ms of [null, 1_000, 29_999]) {
      const listen = await db.sql.query<{ counts: boolean }>(`select playlog_counts_as_play('listenbrainz', $1) as counts`, [ms]);
      expect([listen.rows[0]!.counts, countsAsPlay('listenbrainz', ms)]).toEqual([true, true]);
    }
  });
});

/** The hand-written statements of every feature's data/ modules that apply the counting rule. */
async function statementsCounting(): Promise<Array<Statement<unknown>>> {
  const isStatement = (value: unknown): value is Statement<unknown> => typeof value === 'object' && value !== null && typeof (value as Statement<unknown>).sql === 'string' && 'row' in value;
  const inside = (value: unknown, depth = 0): Array<Statement<unknown>> =>
    isStatement(value) ? [value] : depth < 4 && typeof value === 'object' && value !== null ? Object.values(value).flatMap((inner) => inside(inner, depth + 1)) : [];
  const found = new Map<string, Statement<unknown>>();
  for (const feature of readdirSync('services/features', { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    const dir = join('services/features', feature.name, 'data');
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      for (const statement of inside(Object.values((await import(/* @vite-ignore */ `../../${dir}/${file}`)) as Record<string, unknown>))) found.set(statement.name, statement);
    }
  }
  return [...found.values()].filter((statement) => statement.sql.includes(COUNTS));
}

describe('the counting rule in the statistics statements', () => {
  it('is inlined by Postgres: each plan holds the expression itself, never a call of the function', async () => {
    const statements = await statementsCounting();
    expect(statements.length).toBeGreaterThan(10);
    const client = await db.sql.connect();
    try {
      // The plan a prepared statement settles on once its parameters no longer shape it.
      await client.query('set plan_cache_mode = force_generic_plan');
      for (const statement of statements) {
        const sql = positionalSql(statement);
        await client.query(`prepare counted_${statement.name} as ${sql}`);
        const parameters = new Set(sql.match(/\$\d+/g)).size;
        const plan = await client.query<{ 'QUERY PLAN': string }>(`explain (verbose, costs off) execute counted_${statement.name}(${Array(parameters).fill('null').join(', ')})`);
        const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n');
        expect({ statement: statement.name, callsTheFunction: text.includes('playlog_counts_as_play'), inlined: text.includes(`(e.source = ANY ('{poll,listenbrainz}'::text[])) OR (e.ms_played >= 30000)`) }).toEqual({
          statement: statement.name,
          callsTheFunction: false,
          inlined: true,
        });
      }
    } finally {
      await client.query('deallocate all; reset plan_cache_mode');
      client.release();
    }
  });
});
