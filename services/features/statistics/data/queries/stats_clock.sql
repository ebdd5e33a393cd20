-- stats_clock (services/features/statistics/data/stats.repository.ts)
--
-- A listener’s plays and time by local weekday (ISO: 1 = Monday) and hour, all 168 cells with empty
-- ones as zeros, from the rollups: whole UTC quarter hours from stats_quarters (kept by triggers on
-- listening_events), the range’s two partial quarters play by play; local times by `at time zone`,
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
counted as (
  select extract(isodow from at at time zone ?)::int as weekday, extract(hour from at at time zone ?)::int as hour, sum(plays) as plays, sum(ms) as ms
    from q group by 1, 2
)
select d as weekday, h as hour, coalesce(c.plays, 0) as plays, coalesce(c.ms, 0) as ms_played
  from generate_series(1, 7) d cross join generate_series(0, 23) h
  left join counted c on c.weekday = d and c.hour = h
 order by d, h
