-- listenbrainz_release_artists (services/features/listenbrainz/data/release-artists.repository.ts)
--
-- The artist of each album of a ListenBrainz releases ranking (players read artist_name as a string):
-- for a Spotify album, the first artist of its first track (tracks_album_id_index); for an album named
-- by the listener’s own names, the artist those names give (the user’s export_album_id index). One
-- round trip for the page.

(select distinct on (t.album_id) t.album_id as id, a.name as artist_name
   from tracks t join track_artists ta on ta.track_id = t.id and ta.position = 0 join artists a on a.id = ta.artist_id
  where t.album_id = any(?::text[])
  order by t.album_id, t.id)
union all
select k.id, n.artist_name
  from unnest(?::text[]) k(id)
  cross join lateral (select x.artist_name from export_track_names x where x.user_id = ? and x.export_album_id = k.id and x.artist_name is not null limit 1) n
