-- listenbrainz_listens_span (services/features/listenbrainz/data/listens.repository.ts)
--
-- The ends of a listener’s history (ListenBrainz’s latest_listen_ts and oldest_listen_ts): two probes
-- of the primary key.

select (select floor(extract(epoch from min(e.played_at)))::bigint from listening_events e where e.user_id = ?) as oldest,
       (select floor(extract(epoch from max(e.played_at)))::bigint from listening_events e where e.user_id = ?) as latest
