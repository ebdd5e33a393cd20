import type { EntityManager } from '@mikro-orm/postgresql';
import { defineStatement, runStatement } from '../../../shared/db/statements/statement.js';
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
  LONGEST_STREAK,
  PLAY_MS,
  PLAYS_OF_USER_IN_RANGE,
  summaryColumns,
  summaryOfRow,
  summaryRow,
  type ActivityPoint,
  type ActivityUnit,
  type ClockCell,
  type StatsScope,
  type Summary,
} from './stats-rules.js';

/**
 * The statistics recounted from listening_events, play by play: what the rollups must always equal, the
 * straightforward way (GROUP BY over the plays). The API answers ranged summaries this way (their distinct
 * counts need the plays themselves); the statistics benchmark measures every query against these.
 */

const PLAYS_IN_SCOPE = `
  select e.played_at, e.track_id, ${PLAY_MS} as ms, t.album_id, (e.played_at at time zone ?)::date as day
    from ${PLAYS_OF_USER_IN_RANGE} join tracks t on t.id = e.track_id
   where ${COUNTS}`;

export const recountSummaryStatement = defineStatement({
  name: 'stats_recount_summary',
  purpose: [
    'A listener’s summary over a range: counted plays, their time, distinct tracks, artists (credited ones, and those',
    'only the listener’s own streaming history names) and albums, active local days, first and last play, and the longest run of',
    'consecutive local days with a play (gaps-and-islands: a day minus its rank is constant along a run). One pass over',
    'the range’s plays; window functions and distinct counts across three tables are not the query builder’s.',
  ].join(' '),
  sql: `
with p as (${PLAYS_IN_SCOPE}),
days as (select distinct day from p),
${LONGEST_STREAK},
tracks as (select distinct track_id, album_id from p),
${DISTINCT_ARTISTS_AND_ALBUMS}
${summaryColumns({ plays: '(select count(*) from p)', msPlayed: '(select coalesce(sum(ms), 0) from p)', firstPlayedAt: '(select min(played_at) from p)', lastPlayedAt: '(select max(played_at) from p)' })}`,
  row: summaryRow,
});

export async function recountSummary(em: EntityManager, scope: StatsScope): Promise<Summary> {
  const [row] = await runStatement(em, recountSummaryStatement, [scope.timeZone, scope.userId, ...bounds(scope), scope.userId, scope.userId]);
  if (!row) throw new Error('stats_recount_summary returned no row');
  return summaryOfRow(row);
}

export const recountActivityStatement = defineStatement({
  name: 'stats_recount_activity',
  purpose: [
    'A listener’s plays and time per local day, ISO week, month or year over a range, every bucket of it, empty ones as',
    'zeros: the local bucket starts come from generate_series in the zone’s wall-clock time and are turned into instants',
    'by the zone’s rules (a local midnight that does not exist is the day’s first instant). The plays are grouped by',
    'the same local truncation; a generated series joined to a grouping is not the query builder’s.',
  ].join(' '),
  sql: `
with p as (${PLAYS_IN_SCOPE}),
counted as (select date_trunc(?, played_at at time zone ?) as bucket, count(*) as plays, sum(ms) as ms from p group by 1),
${EVERY_BUCKET}`,
  row: activityRow,
});

/** Every `unit` bucket from the one holding `first` to the one holding `last` (instants), in the zone. */
export async function recountActivity(em: EntityManager, scope: StatsScope, unit: ActivityUnit, first: Date, last: Date): Promise<ActivityPoint[]> {
  const zone = scope.timeZone;
  const rows = await runStatement(em, recountActivityStatement, [zone, scope.userId, ...bounds(scope), unit, zone, ...bucketBindings(unit, first, last, zone)]);
  return rows.map(activityPointOf);
}

export const recountClockStatement = defineStatement({
  name: 'stats_recount_clock',
  purpose: [
    'A listener’s plays and time by local weekday (ISO: 1 = Monday) and hour, all 168 cells, empty ones as zeros: a',
    'generated grid joined to the grouping, in the zone’s wall-clock time.',
  ].join(' '),
  sql: `
with p as (${PLAYS_IN_SCOPE}),
counted as (
  select extract(isodow from played_at at time zone ?)::int as weekday, extract(hour from played_at at time zone ?)::int as hour, count(*) as plays, sum(ms) as ms
    from p group by 1, 2
)
${EVERY_CLOCK_CELL}`,
  row: clockRow,
});

export async function recountClock(em: EntityManager, scope: StatsScope): Promise<ClockCell[]> {
  const rows = await runStatement(em, recountClockStatement, [scope.timeZone, scope.userId, ...bounds(scope), scope.timeZone, scope.timeZone]);
  return rows.map(clockCellOf);
}
