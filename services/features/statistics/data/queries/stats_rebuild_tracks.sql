-- stats_rebuild_tracks (services/features/statistics/data/stats-rebuild.repository.ts)
--
-- One user’s rollup recomputed from their plays, as the triggers of listening_events would have kept
-- it (npm run stats:rebuild).

insert into stats_tracks (user_id, track_id, plays, ms_played, first_played_at, last_played_at)
select e.user_id, e.track_id, count(*), sum(coalesce(e.ms_played, t.duration_ms)), min(e.played_at), max(e.played_at)
  from listening_events e join tracks t on t.id = e.track_id where e.user_id = ? and playlog_counts_as_play(e.source, e.ms_played) group by 1, 2
