import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { defineStatement, runStatement, timestamp } from '../../../shared/db/statements/statement.js';
import { loadLocalActivity, loadLocalClock, loadLocalSummary } from './stats-local.repository.js';
import { recountSummary } from './stats-recount.repository.js';
import {
  activityPointOf,
  activityRow,
  bounds,
  bucketBindings,
  clockCellOf,
  clockRow,
  COUNTS,
  DISTINCT_ARTISTS_AND_ALBUMS,
  EVERY_BUCKET,
  EVERY_CLOCK_CELL,
  FIRST_AND_LAST_OF_TRACKS,
  LONGEST_STREAK,
  PLAY_MS,
  summaryColumns,
  summaryOfRow,
  summaryRow,
  TRACKS_PLAYED,
  type ActivityPoint,
  type ActivityUnit,
  type ClockCell,
  type StatsScope,
  type Summary,
} from './stats-rules.js';

/**
 * Listening statistics (docs/stats.md) from the rollups the triggers of listening_events keep, with the
 * counting rules of stats-rules.ts. Local days, weeks (ISO, from Monday), months, years, hours and
 * weekdays are Postgres' `at time zone`, which follows the zone's rules, daylight saving time and
 * offsets that are not whole hours included.
 */
export type { ActivityPoint, ActivityUnit, ClockCell, StatsScope, Summary } from './stats-rules.js';

export const statsPlayedSpanStatement = defineStatement({
  name: 'stats_played_span',
  purpose:
    'The first and last counted play of a user in a range (where an unbounded activity range starts and ends): two ' +
    'walks of the primary key from either end, stopping at the first play that counts.',
  sql: `
select (select e.played_at from listening_events e where e.user_id = ? and e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz and ${COUNTS} order by e.played_at asc limit 1) as first_played_at,
       (select e.played_at from listening_events e where e.user_id = ? and e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz and ${COUNTS} order by e.played_at desc limit 1) as last_played_at`,
  row: z.object({ first_played_at: timestamp.nullable(), last_played_at: timestamp.nullable() }),
});

export async function loadPlayedSpan(em: EntityManager, scope: Omit<StatsScope, 'timeZone'>): Promise<{ first: Date | null; last: Date | null }> {
  const range = bounds(scope);
  const [row] = await runStatement(em, statsPlayedSpanStatement, [scope.userId, ...range, scope.userId, ...range]);
  return { first: row?.first_played_at ?? null, last: row?.last_played_at ?? null };
}

export const localYearStatement = defineStatement({
  name: 'stats_local_year',
  purpose: 'The instants a local calendar year starts and ends in a time zone (its first instants: a local midnight that does not exist is skipped).',
  sql: `select make_timestamp(?::int, 1, 1, 0, 0, 0) at time zone ? as starts, make_timestamp(?::int + 1, 1, 1, 0, 0, 0) at time zone ? as ends`,
  row: z.object({ starts: timestamp, ends: timestamp }),
});

export async function localYear(em: EntityManager, year: number, timeZone: string): Promise<{ from: Date; to: Date }> {
  const [row] = await runStatement(em, localYearStatement, [year, timeZone, year, timeZone]);
  if (!row) throw new Error('stats_local_year returned no row');
  return { from: row.starts, to: row.ends };
}

const QUARTER_MS = 15 * 60 * 1000;

/**
 * A range as the rollups cover it: the whole UTC quarter hours inside it (read from stats_quarters) and
 * the parts at its two ends (read play by play). Whole quarters are whole local hours and days in every
 * zone, so sums over them are exact anywhere.
 */
function quarterBindings(scope: StatsScope): string[] {
  const from = scope.from?.getTime() ?? -Infinity;
  const to = scope.to?.getTime() ?? Infinity;
  const instant = (ms: number) => (ms === -Infinity ? '-infinity' : ms === Infinity ? 'infinity' : new Date(ms).toISOString());
  const wholeFrom = Number.isFinite(from) ? Math.ceil(from / QUARTER_MS) * QUARTER_MS : from;
  const wholeTo = Number.isFinite(to) ? Math.floor(to / QUARTER_MS) * QUARTER_MS : to;
  if (wholeFrom >= wholeTo) return [scope.userId, 'infinity', 'infinity', scope.userId, instant(from), instant(to), 'infinity', 'infinity'];
  return [scope.userId, instant(wholeFrom), instant(wholeTo), scope.userId, instant(from), instant(wholeFrom), instant(wholeTo), instant(to)];
}

/** Counted plays and time, at instants: whole quarters from the rollup, the range's ends play by play. */
const QUARTERS_IN_SCOPE = `
  select s.quarter as at, s.plays, s.ms_played as ms
    from stats_quarters s
   where s.user_id = ? and s.quarter >= ?::timestamptz and s.quarter < ?::timestamptz
  union all
  select e.played_at, 1, ${PLAY_MS}
    from listening_events e join tracks t on t.id = e.track_id
   where e.user_id = ? and ${COUNTS}
     and ((e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz) or (e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz))`;

const ROLLUP_PURPOSE =
  'from the rollups: whole UTC quarter hours from stats_quarters (kept by triggers on listening_events), the range’s two ' +
  'partial quarters play by play; local times by `at time zone`, exact in any zone since every offset is a multiple of 15 minutes.';

export const statsActivityStatement = defineStatement({
  name: 'stats_activity',
  purpose: `A listener’s plays and time per local day, ISO week, month or year, every bucket of the range with empty ones as zeros, ${ROLLUP_PURPOSE}`,
  sql: `
with q as (${QUARTERS_IN_SCOPE}),
counted as (select date_trunc(?, at at time zone ?) as bucket, sum(plays) as plays, sum(ms) as ms from q group by 1),
${EVERY_BUCKET}`,
  row: activityRow,
});

/**
 * Every `unit` bucket from the one holding `first` to the one holding `last` (instants), in the zone: from
 * the local days in the user's own zone, else from the quarter hours.
 */
export async function loadActivity(em: EntityManager, scope: StatsScope, unit: ActivityUnit, first: Date, last: Date): Promise<ActivityPoint[]> {
  const local = await loadLocalActivity(em, scope, unit, first, last);
  if (local) return local;
  const rows = await runStatement(em, statsActivityStatement, [...quarterBindings(scope), unit, scope.timeZone, ...bucketBindings(unit, first, last, scope.timeZone)]);
  return rows.map(activityPointOf);
}

export const statsClockStatement = defineStatement({
  name: 'stats_clock',
  purpose: `A listener’s plays and time by local weekday (ISO: 1 = Monday) and hour, all 168 cells with empty ones as zeros, ${ROLLUP_PURPOSE}`,
  sql: `
with q as (${QUARTERS_IN_SCOPE}),
counted as (
  select extract(isodow from at at time zone ?)::int as weekday, extract(hour from at at time zone ?)::int as hour, sum(plays) as plays, sum(ms) as ms
    from q group by 1, 2
)
${EVERY_CLOCK_CELL}`,
  row: clockRow,
});

/** The clock of a range in the zone: the whole history in the user's own zone from stats_clock, else from the quarter hours. */
export async function loadClock(em: EntityManager, scope: StatsScope): Promise<ClockCell[]> {
  if (scope.from === undefined && scope.to === undefined) {
    const local = await loadLocalClock(em, scope.userId, scope.timeZone);
    if (local) return local;
  }
  const rows = await runStatement(em, statsClockStatement, [...quarterBindings(scope), scope.timeZone, scope.timeZone]);
  return rows.map(clockCellOf);
}

export const statsSummaryStatement = defineStatement({
  name: 'stats_summary',
  purpose: [
    `A listener’s whole-history summary, ${ROLLUP_PURPOSE} Distinct tracks, albums and artists, and the first and last`,
    'play, come from stats_tracks (one row per track played) with the catalogue and the names in the listener’s own streaming history;',
    'streaks by gaps-and-islands over the active local days.',
  ].join(' '),
  sql: `
with q as (${QUARTERS_IN_SCOPE}),
days as (select distinct (at at time zone ?)::date as day from q),
${LONGEST_STREAK},
${TRACKS_PLAYED},
${DISTINCT_ARTISTS_AND_ALBUMS}
${summaryColumns({ plays: '(select coalesce(sum(plays), 0) from q)', msPlayed: '(select coalesce(sum(ms), 0) from q)', ...FIRST_AND_LAST_OF_TRACKS })}`,
  row: summaryRow,
});

/**
 * The summary of a range: all-time from the rollups (local days in the user's own zone, else quarter
 * hours); a bounded range recounted (its distinct counts need its plays).
 */
export async function loadSummary(em: EntityManager, scope: StatsScope): Promise<Summary> {
  if (scope.from !== undefined || scope.to !== undefined) return recountSummary(em, scope);
  const local = await loadLocalSummary(em, scope.userId, scope.timeZone);
  if (local) return local;
  const [row] = await runStatement(em, statsSummaryStatement, [...quarterBindings(scope), scope.timeZone, scope.userId, scope.userId, scope.userId]);
  if (!row) throw new Error('stats_summary returned no row');
  return summaryOfRow(row);
}
