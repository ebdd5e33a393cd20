-- stats_local_activity (services/features/statistics/data/stats-local.repository.ts)
--
-- A listener’s plays and time per local day, ISO week, month or year, every bucket of the range with
-- empty ones as zeros, in the listener’s own time zone, from the local rollups: whole local days from
-- stats_days, the range’s two end days from quarter hours (stats_quarters) and its partial quarters
-- play by play; nothing when the zone is not the user’s.

with zone as (select u.time_zone as z from users u where u.id = ? and u.time_zone = ?),
span as (select (?::timestamptz at time zone z)::date as df, ((?::timestamptz - interval '1 microsecond') at time zone z)::date as dt, z from zone),
edges as (
  select s.quarter as at, s.plays, s.ms_played as ms from stats_quarters s where s.user_id = ? and s.quarter >= ?::timestamptz and s.quarter < ?::timestamptz
  union all
  select s.quarter, s.plays, s.ms_played from stats_quarters s where s.user_id = ? and s.quarter >= ?::timestamptz and s.quarter < ?::timestamptz
  union all
  select e.played_at, 1, coalesce(e.ms_played, t.duration_ms)
    from listening_events e join tracks t on t.id = e.track_id
   where e.user_id = ? and playlog_counts_as_play(e.source, e.ms_played)
     and ((e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz) or (e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz))
),
local as (
  select d.day::timestamp as at, d.plays, d.ms_played as ms from stats_days d cross join span where d.user_id = ? and d.day > span.df and d.day < span.dt
  union all
  select x.at at time zone span.z, x.plays, x.ms from edges x cross join span where (x.at at time zone span.z)::date in (span.df, span.dt)
),
counted as (select date_trunc(?, at) as bucket, sum(plays) as plays, sum(ms) as ms from local group by 1),
buckets as (select generate_series(date_trunc(?, ?::timestamptz at time zone z), date_trunc(?, ?::timestamptz at time zone z), ?::interval) as bucket, z from zone)
select b.bucket at time zone b.z as start, coalesce(c.plays, 0) as plays, coalesce(c.ms, 0) as ms_played
  from buckets b left join counted c on c.bucket = b.bucket
 order by b.bucket
