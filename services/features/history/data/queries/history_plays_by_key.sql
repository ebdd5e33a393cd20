-- history_plays_by_key (services/features/history/data/history.repository.ts)
--
-- Plays of one user by their keys (a Play asked for by its global id): the keys carry played_at with
-- microseconds, which a JavaScript Date (what the ORM binds) cannot, so they travel as one JSON array
-- and are joined on the primary key. Another user’s key finds nothing: the user is the caller’s, never
-- the key’s.

select to_char(e.played_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as played_at_text,
       e.played_at, e.track_id, e.context_type, e.context_uri, e.source, e.ms_played
  from jsonb_to_recordset(?::jsonb) as k(played_at timestamptz, track_id text)
  join listening_events e on e.user_id = ? and e.played_at = k.played_at and e.track_id = k.track_id
