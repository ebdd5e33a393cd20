-- stats_activity (services/features/statistics/data/stats.repository.ts)
--
-- A listener’s plays and time per local day, ISO week, month or year, every bucket of the range with
-- empty ones as zeros, from the rollups: whole UTC quarter hours from stats_quarters (kept by triggers
-- on listening_events), the range’s two partial quarters play by play; local times by `at time zone`,
-- exact in any zone since every offset is a multiple of 15 minutes.

with q as (
  select s.quarter as at, s.plays, s.ms_played as ms
    from stats_quarters s
   where s.user_id = ? and s.quarter >= ?::timestamptz and s.quarter < ?::timestamptz
  union all
  select e.played_at, 1, coalesce(e.ms_played, t.duration_ms)
    from listening_events e join tracks t on t.id = e.track_id
   where e.user_id = ? and playlog_counts_as_play(e.source, e.ms_played)
     and ((e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz) or (e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz))),
counted as (select date_trunc(?, at at time zone ?) as bucket, sum(plays) as plays, sum(ms) as ms from q group by 1),
buckets as (select generate_series(date_trunc(?, ?::timestamptz at time zone ?), date_trunc(?, ?::timestamptz at time zone ?), ?::interval) as bucket)
select b.bucket at time zone ? as start, coalesce(c.plays, 0) as plays, coalesce(c.ms, 0) as ms_played
  from buckets b left join counted c on c.bucket = b.bucket
 order by b.bucket
