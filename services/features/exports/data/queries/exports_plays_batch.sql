-- exports_plays_batch (services/features/exports/data/export-plays.repository.ts)
--
-- One batch of a user’s plays for a personal export, oldest first, by keyset over the listening_events
-- primary key (user_id, played_at, track_id) from the last play of the previous batch: the whole
-- history is never held in memory and every batch costs one index range scan (no OFFSET). Row
-- comparisons are not expressible in the query builder. Each play comes with its track, album and
-- artists in billing order, and, for a track the catalogue knows only by its id, the names the user’s
-- own streaming history gave it (export_track_names).

select to_char(e.played_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as played_at_text,
       e.played_at, e.track_id, e.ms_played, e.source, e.context_type, e.context_uri,
       coalesce(nullif(t.name, ''), n.track_name) as track_name, t.uri as track_uri, t.duration_ms,
       coalesce(al.name, n.album_name) as album_name,
       coalesce((select json_agg(ar.name order by ta.position)
                   from track_artists ta join artists ar on ar.id = ta.artist_id
                  where ta.track_id = t.id),
                case when n.artist_name is null then '[]'::json else json_build_array(n.artist_name) end) as artist_names
  from listening_events e
  join tracks t on t.id = e.track_id
  left join albums al on al.id = t.album_id
  left join export_track_names n on n.user_id = e.user_id and n.track_id = e.track_id
 where e.user_id = ?
   and (e.played_at, e.track_id) > (?::timestamptz, ?)
 order by e.played_at asc, e.track_id asc
 limit ?
