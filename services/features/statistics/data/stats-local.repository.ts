import type { EntityManager } from '@mikro-orm/postgresql';
import { defineStatement, runStatement } from '../../../shared/db/statements/statement.js';
import {
  activityPointOf,
  activityRow,
  bounds,
  clockCellOf,
  clockRow,
  COUNTS,
  DISTINCT_ARTISTS_AND_ALBUMS,
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
 * Statistics in the listener's own time zone (`users.time_zone`) from the local rollups: stats_days (a row
 * per local day) and stats_clock (a row per local weekday and hour), kept by the triggers of
 * listening_events and recomputed in the transaction that changes the zone. Each statement checks, in
 * its own snapshot, that the zone asked for is the user's: when it is not (another zone asked for, or
 * changed meanwhile), the loaders answer null and the caller counts from the quarter hours instead.
 */

const QUARTER_MS = 15 * 60 * 1000;
/** Longer than any local day (25 hours at a daylight saving change): the window at each end of a range that holds its partial local days. */
const EDGE_MS = 2 * 86_400_000;

/**
 * A range split for the local rollups. Its two end days (the local dates of `from` and of its last instant)
 * may be partial: they are summed from quarter hours in a window at each end, and the partial quarters at
 * the range's two ends play by play; every day strictly between them lies wholly inside the range (a
 * local date never goes backwards in time) and comes from stats_days.
 */
function edgeBindings(scope: StatsScope): string[] {
  const from = scope.from?.getTime() ?? -Infinity;
  const to = scope.to?.getTime() ?? Infinity;
  const instant = (ms: number) => (ms === -Infinity ? '-infinity' : ms === Infinity ? 'infinity' : new Date(ms).toISOString());
  const wholeFrom = Number.isFinite(from) ? Math.ceil(from / QUARTER_MS) * QUARTER_MS : from;
  const wholeTo = Math.max(wholeFrom, Number.isFinite(to) ? Math.floor(to / QUARTER_MS) * QUARTER_MS : to);
  const leftEnd = Number.isFinite(from) ? Math.min(wholeTo, wholeFrom + EDGE_MS) : wholeFrom;
  const rightStart = Number.isFinite(to) ? Math.max(leftEnd, wholeTo - EDGE_MS) : wholeTo;
  const partial = wholeFrom >= wholeTo ? [instant(from), instant(to), 'infinity', 'infinity'] : [instant(from), instant(wholeFrom), instant(wholeTo), instant(to)];
  return [
    scope.userId,
    instant(wholeFrom),
    instant(leftEnd),
    scope.userId,
    instant(rightStart),
    instant(wholeTo),
    scope.userId,
    ...partial,
  ];
}

/** The range's two end days in the user's own zone (`zone` holds a row only when it is theirs): `df`, `dt` (bound: the user, the zone, from, to). */
const OWN_ZONE = `zone as (select u.time_zone as z from users u where u.id = ? and u.time_zone = ?),
span as (select (?::timestamptz at time zone z)::date as df, ((?::timestamptz - interval '1 microsecond') at time zone z)::date as dt, z from zone)`;

/** Counted plays and time at local times: whole days between the end days, and the end days from quarters and plays. */
const LOCAL_IN_SCOPE = `edges as (
  select s.quarter as at, s.plays, s.ms_played as ms from stats_quarters s where s.user_id = ? and s.quarter >= ?::timestamptz and s.quarter < ?::timestamptz
  union all
  select s.quarter, s.plays, s.ms_played from stats_quarters s where s.user_id = ? and s.quarter >= ?::timestamptz and s.quarter < ?::timestamptz
  union all
  select e.played_at, 1, ${PLAY_MS}
    from listening_events e join tracks t on t.id = e.track_id
   where e.user_id = ? and ${COUNTS}
     and ((e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz) or (e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz))
),
local as (
  select d.day::timestamp as at, d.plays, d.ms_played as ms from stats_days d cross join span where d.user_id = ? and d.day > span.df and d.day < span.dt
  union all
  select x.at at time zone span.z, x.plays, x.ms from edges x cross join span where (x.at at time zone span.z)::date in (span.df, span.dt)
)`;

const LOCAL_PURPOSE =
  'in the listener’s own time zone, from the local rollups: whole local days from stats_days, the range’s two end days ' +
  'from quarter hours (stats_quarters) and its partial quarters play by play; nothing when the zone is not the user’s.';

export const localActivityStatement = defineStatement({
  name: 'stats_local_activity',
  purpose: `A listener’s plays and time per local day, ISO week, month or year, every bucket of the range with empty ones as zeros, ${LOCAL_PURPOSE}`,
  sql: `
with ${OWN_ZONE},
${LOCAL_IN_SCOPE},
counted as (select date_trunc(?, at) as bucket, sum(plays) as plays, sum(ms) as ms from local group by 1),
buckets as (select generate_series(date_trunc(?, ?::timestamptz at time zone z), date_trunc(?, ?::timestamptz at time zone z), ?::interval) as bucket, z from zone)
select b.bucket at time zone b.z as start, coalesce(c.plays, 0) as plays, coalesce(c.ms, 0) as ms_played
  from buckets b left join counted c on c.bucket = b.bucket
 order by b.bucket`,
  row: activityRow,
});

/**
 * Every `unit` bucket from the one holding `first` to the one holding `last`, in the user's own zone; null
 * when `scope.timeZone` is not it.
 */
export async function loadLocalActivity(em: EntityManager, scope: StatsScope, unit: ActivityUnit, first: Date, last: Date): Promise<ActivityPoint[] | null> {
  const rows = await runStatement(em, localActivityStatement, [
    scope.userId,
    scope.timeZone,
    ...bounds(scope),
    ...edgeBindings(scope),
    scope.userId,
    unit,
    unit,
    first.toISOString(),
    unit,
    last.toISOString(),
    `1 ${unit}`,
  ]);
  // Every range has a bucket: none means the zone was not the user's.
  if (rows.length === 0) return null;
  return rows.map(activityPointOf);
}

export const localClockStatement = defineStatement({
  name: 'stats_local_clock',
  purpose: 'A listener’s plays and time by local weekday (ISO: 1 = Monday) and hour over their whole history, all 168 cells with empty ones as zeros, from stats_clock; nothing when the zone is not the user’s.',
  sql: `
with zone as (select u.id from users u where u.id = ? and u.time_zone = ?)
select d as weekday, h as hour, coalesce(c.plays, 0) as plays, coalesce(c.ms_played, 0) as ms_played
  from zone cross join generate_series(1, 7) d cross join generate_series(0, 23) h
  left join stats_clock c on c.user_id = zone.id and c.weekday = d and c.hour = h
 order by d, h`,
  row: clockRow,
});

/** The whole history's clock in the user's own zone; null when `timeZone` is not it. */
export async function loadLocalClock(em: EntityManager, userId: string, timeZone: string): Promise<ClockCell[] | null> {
  const rows = await runStatement(em, localClockStatement, [userId, timeZone]);
  if (rows.length === 0) return null;
  return rows.map(clockCellOf);
}

export const localSummaryStatement = defineStatement({
  name: 'stats_local_summary',
  purpose: [
    'A listener’s whole-history summary in their own time zone: plays, time, active days and the longest streak from',
    'stats_days (gaps-and-islands over the local days); distinct tracks, albums and artists, and the first and last play,',
    'from stats_tracks (one row per track played) with the catalogue and the names in the listener’s own streaming history. No row when',
    'the zone is not the user’s.',
  ].join(' '),
  sql: `
with zone as (select u.id from users u where u.id = ? and u.time_zone = ?),
days as (select d.day, d.plays, d.ms_played from stats_days d join zone on d.user_id = zone.id),
${LONGEST_STREAK},
${TRACKS_PLAYED},
${DISTINCT_ARTISTS_AND_ALBUMS}
${summaryColumns({ plays: '(select coalesce(sum(plays), 0) from days)', msPlayed: '(select coalesce(sum(ms_played), 0) from days)', ...FIRST_AND_LAST_OF_TRACKS })}
  from zone`,
  row: summaryRow,
});

/** The whole history's summary in the user's own zone; null when `timeZone` is not it. */
export async function loadLocalSummary(em: EntityManager, userId: string, timeZone: string): Promise<Summary | null> {
  const [row] = await runStatement(em, localSummaryStatement, [userId, timeZone, userId, userId, userId]);
  return row ? summaryOfRow(row) : null;
}
