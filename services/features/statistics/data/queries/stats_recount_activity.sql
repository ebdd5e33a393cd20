-- stats_recount_activity (services/features/statistics/data/stats-recount.repository.ts)
--
-- A listener’s plays and time per local day, ISO week, month or year over a range, every bucket of it,
-- empty ones as zeros: the local bucket starts come from generate_series in the zone’s wall-clock time
-- and are turned into instants by the zone’s rules (a local midnight that does not exist is the day’s
-- first instant). The plays are grouped by the same local truncation; a generated series joined to a
-- grouping is not the query builder’s.

with p as (
  select e.played_at, e.track_id, coalesce(e.ms_played, t.duration_ms) as ms, t.album_id, (e.played_at at time zone ?)::date as day
    from (select ?::uuid as id offset 0) me
    cross join lateral (select * from listening_events e where e.user_id = me.id and e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz) e join tracks t on t.id = e.track_id
   where playlog_counts_as_play(e.source, e.ms_played)),
counted as (select date_trunc(?, played_at at time zone ?) as bucket, count(*) as plays, sum(ms) as ms from p group by 1),
buckets as (select generate_series(date_trunc(?, ?::timestamptz at time zone ?), date_trunc(?, ?::timestamptz at time zone ?), ?::interval) as bucket)
select b.bucket at time zone ? as start, coalesce(c.plays, 0) as plays, coalesce(c.ms, 0) as ms_played
  from buckets b left join counted c on c.bucket = b.bucket
 order by b.bucket
