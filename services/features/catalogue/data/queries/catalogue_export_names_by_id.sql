-- catalogue_export_names_by_id (services/features/catalogue/data/streaming-history-names.repository.ts)
--
-- The names behind these artist and album ids made from the names in one user’s streaming history
-- (streamingHistoryArtistAndAlbum): for each id, one row of export_track_names found by the (user_id,
-- export_artist_id) or (user_id, export_album_id) index, so a page costs a probe per id it shows,
-- never a read of every name the user’s streaming histories gave. A lateral LIMIT 1 per id is not the
-- query builder’s.

select 'artist' as kind, k.id, n.artist_name, n.album_name
  from unnest(?::text[]) k(id)
  cross join lateral (select x.artist_name, x.album_name from export_track_names x where x.user_id = ? and x.export_artist_id = k.id limit 1) n
union all
select 'album', k.id, n.artist_name, n.album_name
  from unnest(?::text[]) k(id)
  cross join lateral (select x.artist_name, x.album_name from export_track_names x where x.user_id = ? and x.export_album_id = k.id limit 1) n
