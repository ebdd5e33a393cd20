import { z } from 'zod';
import { bigintNumber, timestamp } from '../statements/statement.js';

/**
 * The rules every statistic follows (docs/stats.md), once, for the rollup and recount statements alike:
 *   - a play counts when Spotify would count it: every polled play (Spotify lists only those), an
 *     imported one when it lasted 30 seconds or more;
 *   - its time is its own ms_played when known (imports), else its track's duration.
 */

/** The counting rule, for the plays `e` of `listening_events`. */
export const COUNTS = `(e.source = 'poll' or e.ms_played >= 30000)`;

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
 * them: credited artists and the catalogue's albums, and those only the listener's own export names
 * (bound: the listener, twice). Names are prefixed `export:`, which no Spotify id can be (base62, no colon),
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
