-- stats_rebuild_play_counts (services/features/statistics/data/stats-rebuild.repository.ts)
--
-- One user’s rollup recomputed from their plays, as the triggers of listening_events would have kept
-- it (npm run stats:rebuild). Every stored play counts here (history totals), short ones too.

insert into play_counts (user_id, day, plays)
select user_id, (played_at at time zone 'UTC')::date, count(*) from listening_events where user_id = ? group by 1, 2
