-- listenbrainz_listens_after (services/features/listenbrainz/data/listens.repository.ts)
--
-- A listener’s first listens after min_ts (ListenBrainz’s GET user/listens with min_ts alone): a
-- forward range scan of the primary key from the bound, each play’s start compared exactly; the caller
-- shows them newest first.

select floor(extract(epoch from coalesce(e.started_at, e.played_at - make_interval(secs => coalesce(e.ms_played, t.duration_ms) / 1000.0))))::bigint as listened_at, floor(extract(epoch from e.ingested_at))::bigint as inserted_at,
       e.played_at, e.track_id, e.source, e.client, coalesce(e.ms_played, nullif(t.duration_ms, 0)) as duration_ms
  from listening_events e join tracks t on t.id = e.track_id
 where e.user_id = ? and e.played_at > ?::timestamptz
   and coalesce(e.started_at, e.played_at - make_interval(secs => coalesce(e.ms_played, t.duration_ms) / 1000.0)) > ?::timestamptz
 order by e.played_at asc, e.track_id asc
 limit ?
