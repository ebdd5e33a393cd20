import { z } from 'zod';
import { bigintNumber, timestamp } from '../../../shared/db/statements/statement.js';

/**
 * The rules every statistic follows (docs/stats.md), once, for the rollup and recount statements alike:
 *   - a play counts when Spotify would count it: the database's function playlog_counts_as_play
 *     (schema/playlog_counts_as_play.sql), which the rollup triggers call too;
 *   - its time is its own ms_played when known (imports), else its track's duration.
 */

/** The counting rule, for the plays `e` of `listening_events`: Postgres inlines the function, so plans are those of the rule written out. */
export const COUNTS = `playlog_counts_as_play(e.source, e.ms_played)`;

/** A counted play's time, with its track `t`. */
export const PLAY_MS = `coalesce(e.ms_played, t.duration_ms)`;

/**
 * A user's plays `e` in a range (bound: the user, from, to). The user comes through a fenced subquery so
 * that the plan is made for a user of average history: for a user whose plays dominate the table the
 * planner would otherwise expect most of them in any range and scan the whole table, where the primary
 * key's range holds exactly the range's plays.
 */
export const PLAYS_OF_USER_IN_RANGE = `(select ?::uuid as id offset 0) me
    cross join lateral (select * from listening_events e where e.user_id = me.id and e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz) e`;

export interface StatsScope {
  userId: string;
  timeZone: string;
  from?: Date;
  to?: Date;
}

export const bounds = (scope: Pick<StatsScope, 'from' | 'to'>) => [scope.from?.toISOString() ?? '-infinity', scope.to?.toISOString() ?? 'infinity'];

export interface Summary {
  plays: number;
  msPlayed: number;
  distinctTracks: number;
  distinctArtists: number;
  distinctAlbums: number;
  activeDays: number;
  firstPlayedAt: Date | null;
  lastPlayedAt: Date | null;
  /** Null when there is no play. */
  longestStreak: { days: number; from: string; to: string } | null;
}

export type ActivityUnit = 'day' | 'week' | 'month' | 'year';

export interface ActivityPoint {
  start: Date;
  plays: number;
  msPlayed: number;
}

export interface ClockCell {
  weekday: number;
  hour: number;
  plays: number;
  msPlayed: number;
}

/** A summary statement's one row. */
export const summaryRow = z.object({
  plays: bigintNumber,
  ms_played: bigintNumber,
  distinct_tracks: bigintNumber,
  distinct_artists: bigintNumber,
  distinct_albums: bigintNumber,
  active_days: bigintNumber,
  first_played_at: timestamp.nullable(),
  last_played_at: timestamp.nullable(),
  streak_days: bigintNumber.nullable(),
  streak_from: z.string().nullable(),
  streak_to: z.string().nullable(),
});

export function summaryOfRow(row: z.infer<typeof summaryRow>): Summary {
  return {
    plays: row.plays,
    msPlayed: row.ms_played,
    distinctTracks: row.distinct_tracks,
    distinctArtists: row.distinct_artists,
    distinctAlbums: row.distinct_albums,
    activeDays: row.active_days,
    firstPlayedAt: row.first_played_at,
    lastPlayedAt: row.last_played_at,
    longestStreak: row.streak_days === null || row.streak_from === null || row.streak_to === null ? null : { days: row.streak_days, from: row.streak_from, to: row.streak_to },
  };
}

/**
 * The distinct artists and albums of a `tracks (track_id, album_id)` CTE, as summary statements count
 * them: credited artists and the catalogue's albums, and those only the listener's own streaming history
 * names (bound: the listener, twice). Names are prefixed `export:`, which no Spotify id can be (base62, no colon),
 * so the two kinds never merge; the ids themselves go unprefixed (concatenating every id doubled the work).
 */
export const DISTINCT_ARTISTS_AND_ALBUMS = `artists as (
  select ta.artist_id as artist from tracks x join track_artists ta on ta.track_id = x.track_id
  union
  select 'export:' || n.artist_name from tracks x join export_track_names n on n.track_id = x.track_id and n.user_id = ? where n.artist_name is not null
),
albums as (
  select x.album_id as album from tracks x where x.album_id is not null
  union
  select 'export:' || json_build_array(n.artist_name, n.album_name)::text from tracks x join export_track_names n on n.track_id = x.track_id and n.user_id = ? where n.album_name is not null
)`;

/**
 * The longest run of consecutive local days of a `days (day)` CTE, the latest of the longest
 * (gaps-and-islands: a day minus its rank is constant along a run): `longest (days, first_day, last_day)`.
 */
export const LONGEST_STREAK = `runs as (select day, day - (row_number() over (order by day))::int as run from days),
longest as (select count(*) as days, min(day) as first_day, max(day) as last_day from runs group by run order by count(*) desc, max(day) desc limit 1)`;

/** The tracks a listener played over their whole history, with their album and first and last play: the `tracks` of a summary, from stats_tracks (bound: the listener). */
export const TRACKS_PLAYED = `tracks as (select st.track_id, t.album_id, st.first_played_at, st.last_played_at from stats_tracks st join tracks t on t.id = st.track_id where st.user_id = ?)`;

/**
 * A summary statement's select list (summaryRow), over the `tracks`, `artists`, `albums`, `days` and
 * `longest` CTEs, with the expressions each statement counts its plays, time and first and last play by.
 */
export function summaryColumns(from: { plays: string; msPlayed: string; firstPlayedAt: string; lastPlayedAt: string }): string {
  return `select ${from.plays} as plays,
       ${from.msPlayed} as ms_played,
       (select count(*) from tracks) as distinct_tracks,
       (select count(*) from artists) as distinct_artists,
       (select count(*) from albums) as distinct_albums,
       (select count(*) from days) as active_days,
       ${from.firstPlayedAt} as first_played_at,
       ${from.lastPlayedAt} as last_played_at,
       (select days from longest) as streak_days,
       (select to_char(first_day, 'YYYY-MM-DD') from longest) as streak_from,
       (select to_char(last_day, 'YYYY-MM-DD') from longest) as streak_to`;
}

/** First and last play from a summary's `tracks` (whole-history summaries). */
export const FIRST_AND_LAST_OF_TRACKS = { firstPlayedAt: '(select min(first_played_at) from tracks)', lastPlayedAt: '(select max(last_played_at) from tracks)' };

/**
 * Every bucket of an activity, empty ones as zeros, from its `counted (bucket, plays, ms)` CTE: the local
 * bucket starts come from generate_series in the zone's wall-clock time and are turned into instants by
 * the zone's rules (bound: bucketBindings).
 */
export const EVERY_BUCKET = `buckets as (select generate_series(date_trunc(?, ?::timestamptz at time zone ?), date_trunc(?, ?::timestamptz at time zone ?), ?::interval) as bucket)
select b.bucket at time zone ? as start, coalesce(c.plays, 0) as plays, coalesce(c.ms, 0) as ms_played
  from buckets b left join counted c on c.bucket = b.bucket
 order by b.bucket`;

/** EVERY_BUCKET's bindings: every `unit` bucket from the one holding `first` to the one holding `last`, in `zone`. */
export const bucketBindings = (unit: ActivityUnit, first: Date, last: Date, zone: string) => [unit, first.toISOString(), zone, unit, last.toISOString(), zone, `1 ${unit}`, zone];

/** All 168 clock cells, Monday 0:00 first, empty ones as zeros, from a `counted (weekday, hour, plays, ms)` CTE. */
export const EVERY_CLOCK_CELL = `select d as weekday, h as hour, coalesce(c.plays, 0) as plays, coalesce(c.ms, 0) as ms_played
  from generate_series(1, 7) d cross join generate_series(0, 23) h
  left join counted c on c.weekday = d and c.hour = h
 order by d, h`;

/** An activity statement's row, and the point it is. */
export const activityRow = z.object({ start: timestamp, plays: bigintNumber, ms_played: bigintNumber });
export const activityPointOf = (row: z.infer<typeof activityRow>): ActivityPoint => ({ start: row.start, plays: row.plays, msPlayed: row.ms_played });

/** A clock statement's row, and the cell it is. */
export const clockRow = z.object({ weekday: z.number().int(), hour: z.number().int(), plays: bigintNumber, ms_played: bigintNumber });
export const clockCellOf = (row: z.infer<typeof clockRow>): ClockCell => ({ weekday: row.weekday, hour: row.hour, plays: row.plays, msPlayed: row.ms_played });

