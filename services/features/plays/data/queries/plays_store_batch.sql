-- plays_store_batch (services/features/plays/data/plays.repository.ts)
--
-- Stores a batch of plays of one or more users exactly once, in ONE statement (one round trip), the
-- ingest benchmark’s subject: data-modifying CTEs upsert artists, albums, tracks and track artists,
-- insert the plays with ON CONFLICT DO NOTHING and advance the poll cursor (on a poll’s last page also
-- recording its success). One statement is atomic and its foreign keys are checked at its end, when
-- the catalogue rows exist. Rows are sorted by key in every CTE, so concurrent batches lock in the
-- same order (no deadlock); the catalogue is insert-only, so replays write nothing and take no row
-- locks. The batch travels as one bound JSON parameter: inlined, megabytes of JSON would be escaped in
-- JavaScript and parsed again by Postgres. Which plays were reported before, or are the same play as
-- one stored from another source, is decided for the whole batch by
-- data/schema/playlog_duplicate_plays.sql, called once per user (in its own CTE, before any play is
-- inserted), the users in id order, so batches of several users take its per-user locks in one order:
-- those are left out. The batch carries each user’s plays as one array (handed to the rule as it is);
-- the count of new plays comes back per user.

with doc as (select ?::jsonb as d),
new_artists as (
  insert into artists (id, name, uri)
  select a.id, a.name, a.uri from doc, jsonb_to_recordset(doc.d->'artists') as a(id text, name text, uri text)
  order by a.id
  on conflict (id) do nothing
  returning 1
),
new_albums as (
  insert into albums (id, name, uri, release_date, image_url)
  select a.id, a.name, a.uri, a.release_date, a.image_url
  from doc, jsonb_to_recordset(doc.d->'albums') as a(id text, name text, uri text, release_date text, image_url text)
  order by a.id
  on conflict (id) do nothing
  returning 1
),
new_tracks as (
  insert into tracks (id, name, uri, duration_ms, album_id)
  select t.id, t.name, t.uri, t.duration_ms, t.album_id
  from doc, jsonb_to_recordset(doc.d->'tracks') as t(id text, name text, uri text, duration_ms int, album_id text)
  order by t.id
  on conflict (id) do nothing
  returning 1
),
new_track_artists as (
  insert into track_artists (track_id, position, artist_id)
  select ta.track_id, ta.position, ta.artist_id
  from doc, jsonb_to_recordset(doc.d->'track_artists') as ta(track_id text, position smallint, artist_id text)
  order by ta.track_id, ta.position
  on conflict (track_id, position) do nothing
  returning 1
),
users as (
  select u.user_id, u.plays from doc, jsonb_to_recordset(doc.d->'users') as u(user_id uuid, plays jsonb) order by u.user_id
),
duplicate_plays as (
  select u.user_id, d.played_at, d.track_id from users u cross join lateral playlog_duplicate_plays(u.user_id, ?, u.plays) as d
),
new_plays as (
  insert into listening_events (user_id, played_at, track_id, context_type, context_uri, source, ms_played, client, started_at)
  select u.user_id, p.played_at, p.track_id, p.context_type, p.context_uri, ?, p.ms_played, p.client, p.started_at
  from users u, jsonb_to_recordset(u.plays) as p(played_at timestamptz, track_id text, context_type text, context_uri text, ms_played int, client text, started_at timestamptz)
  where not exists (select 1 from duplicate_plays d where d.user_id = u.user_id and d.played_at = p.played_at and d.track_id = p.track_id)
  order by u.user_id, p.played_at, p.track_id
  on conflict do nothing
  returning user_id
),
new_cursor as (
  insert into poll_state (user_id, after_cursor_ms, last_polled_at, last_success_at)
  select ?::uuid, c.ms, c.succeeded_at, c.succeeded_at
  from (select ?::bigint as ms, ?::timestamptz as succeeded_at) c
  where c.ms is not null or c.succeeded_at is not null
  on conflict (user_id) do update set
    after_cursor_ms = greatest(poll_state.after_cursor_ms, excluded.after_cursor_ms),
    last_polled_at = coalesce(excluded.last_polled_at, poll_state.last_polled_at),
    last_success_at = coalesce(excluded.last_success_at, poll_state.last_success_at),
    consecutive_failures = case when excluded.last_success_at is null then poll_state.consecutive_failures else 0 end
  -- A replay that neither moves the cursor nor ends a poll writes no new row version.
  where excluded.last_success_at is not null or poll_state.after_cursor_ms is null or poll_state.after_cursor_ms < excluded.after_cursor_ms
  returning 1
)
select (select coalesce(jsonb_object_agg(n.user_id, n.plays), '{}') from (select user_id, count(*) as plays from new_plays group by 1) n) as inserted,
       (select count(*) from new_artists) + (select count(*) from new_albums) + (select count(*) from new_tracks)
         + (select count(*) from new_track_artists) + (select count(*) from new_cursor) as catalogue_writes
