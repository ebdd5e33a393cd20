-- stats_rebuild_quarters (services/features/statistics/data/stats-rebuild.repository.ts)
--
-- One user’s rollup recomputed from their plays, as the triggers of listening_events would have kept
-- it (npm run stats:rebuild).

insert into stats_quarters (user_id, quarter, plays, ms_played)
select e.user_id, date_bin('15 minutes', e.played_at, timestamptz '2000-01-01 00:00:00+00'), count(*), sum(coalesce(e.ms_played, t.duration_ms))
  from listening_events e join tracks t on t.id = e.track_id where e.user_id = ? and playlog_counts_as_play(e.source, e.ms_played) group by 1, 2
