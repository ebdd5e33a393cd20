-- stats_rebuild_local_days (services/features/statistics/data/stats-rebuild.repository.ts)
--
-- One user’s local rollup recomputed from their quarter hours in their own time zone (a quarter hour
-- lies in one local hour of any zone, so the sums are exact): after a change of zone, and by npm run
-- stats:rebuild after the quarters.

insert into stats_days (user_id, day, plays, ms_played)
select q.user_id, (q.quarter at time zone u.time_zone)::date, sum(q.plays), sum(q.ms_played)
  from stats_quarters q join users u on u.id = q.user_id where q.user_id = ? group by 1, 2
