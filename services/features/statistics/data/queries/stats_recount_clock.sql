-- stats_recount_clock (services/features/statistics/data/stats-recount.repository.ts)
--
-- A listener’s plays and time by local weekday (ISO: 1 = Monday) and hour, all 168 cells, empty ones
-- as zeros: a generated grid joined to the grouping, in the zone’s wall-clock time.

with p as (
  select e.played_at, e.track_id, coalesce(e.ms_played, t.duration_ms) as ms, t.album_id, (e.played_at at time zone ?)::date as day
    from (select ?::uuid as id offset 0) me
    cross join lateral (select * from listening_events e where e.user_id = me.id and e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz) e join tracks t on t.id = e.track_id
   where playlog_counts_as_play(e.source, e.ms_played)),
counted as (
  select extract(isodow from played_at at time zone ?)::int as weekday, extract(hour from played_at at time zone ?)::int as hour, count(*) as plays, sum(ms) as ms
    from p group by 1, 2
)
select d as weekday, h as hour, coalesce(c.plays, 0) as plays, coalesce(c.ms, 0) as ms_played
  from generate_series(1, 7) d cross join generate_series(0, 23) h
  left join counted c on c.weekday = d and c.hour = h
 order by d, h
