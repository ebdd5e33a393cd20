-- stats_local_clock (services/features/statistics/data/stats-local.repository.ts)
--
-- A listener’s plays and time by local weekday (ISO: 1 = Monday) and hour over their whole history,
-- all 168 cells with empty ones as zeros, from stats_clock; nothing when the zone is not the user’s.

with zone as (select u.id from users u where u.id = ? and u.time_zone = ?)
select d as weekday, h as hour, coalesce(c.plays, 0) as plays, coalesce(c.ms_played, 0) as ms_played
  from zone cross join generate_series(1, 7) d cross join generate_series(0, 23) h
  left join stats_clock c on c.user_id = zone.id and c.weekday = d and c.hour = h
 order by d, h
