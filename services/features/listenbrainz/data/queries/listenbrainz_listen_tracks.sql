-- listenbrainz_listen_tracks (services/features/listenbrainz/data/listen-tracks.repository.ts)
--
-- The catalogue track of each listen of a submission, in one round trip: the Spotify track its
-- spotify_id names when Spotify described it to Playlog (not a row kept by its id alone), otherwise
-- the listener’s own track an earlier listen with the same recording_mbid named (the partial index on
-- export_track_names), otherwise the listener’s own track of the same title and artist, case aside — a
-- track they have a counted play of (stats_tracks), so another listener’s catalogue never names their
-- listen — found through the lower(name) index among few rows, the most played first. The artist is
-- the first in billing order or all of them as players join them (", "). Each look-up is skipped (a
-- one-time filter on the outer row) once an earlier one found the track. Listens, of one listener or
-- several, travel as one JSON array, each with its listener.

with wanted as (
  select w.i, w.user_id, w.spotify_id, w.mbid, w.title, w.artist from jsonb_to_recordset(?::jsonb) as w(i int, user_id uuid, spotify_id text, mbid uuid, title text, artist text)
)
select w.i,
       coalesce(by_id.id, by_mbid.id, by_name.id) as id, coalesce(by_id.uri, by_mbid.uri, by_name.uri) as uri,
       coalesce(by_id.duration_ms, by_mbid.duration_ms, by_name.duration_ms) as duration_ms
  from wanted w
  left join lateral (
    select t.id, t.uri, t.duration_ms from tracks t where t.id = w.spotify_id and (t.duration_ms > 0 or t.album_id is not null) limit 1
  ) by_id on true
  left join lateral (
    select t.id, t.uri, t.duration_ms
      from export_track_names n join tracks t on t.id = n.track_id
     where by_id.id is null and w.mbid is not null and n.user_id = w.user_id and n.recording_mbid = w.mbid
     order by t.id
     limit 1
  ) by_mbid on true
  left join lateral (
    select t.id, t.uri, t.duration_ms
      from tracks t
      join stats_tracks s on s.user_id = w.user_id and s.track_id = t.id
     where by_id.id is null and by_mbid.id is null and lower(t.name) = w.title
       and w.artist in (
         select lower(a.name) from track_artists ta join artists a on a.id = ta.artist_id where ta.track_id = t.id and ta.position = 0
         union all
         select lower(string_agg(a.name, ', ' order by ta.position)) from track_artists ta join artists a on a.id = ta.artist_id where ta.track_id = t.id
       )
     order by s.plays desc, t.id
     limit 1
  ) by_name on true
 order by w.i
