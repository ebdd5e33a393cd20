-- listenbrainz_listens_span (services/features/listenbrainz/data/listens.repository.ts)
--
-- The starts of a listener’s first and last plays (ListenBrainz’s oldest_listen_ts and
-- latest_listen_ts): two probes of the primary key, each play’s start computed as the listens are.

select (select floor(extract(epoch from coalesce(e.started_at, e.played_at - make_interval(secs => coalesce(e.ms_played, t.duration_ms) / 1000.0))))::bigint from listening_events e join tracks t on t.id = e.track_id where e.user_id = ? order by e.played_at asc limit 1) as oldest,
       (select floor(extract(epoch from coalesce(e.started_at, e.played_at - make_interval(secs => coalesce(e.ms_played, t.duration_ms) / 1000.0))))::bigint from listening_events e join tracks t on t.id = e.track_id where e.user_id = ? order by e.played_at desc limit 1) as latest
