-- catalogue_heard_by_user (services/features/catalogue/data/heard-catalogue.repository.ts)
--
-- Which of these tracks, albums and artists the user played something of, with the albums’ and
-- artists’ own columns: ONE round trip for a `nodes` lookup mixing all three. Each is an EXISTS over
-- the (track_id, user_id) index of listening_events, which the query builder cannot express across the
-- three tables.

select 'track' as kind, t.id, null as name, null as uri, null as release_date, null as image_url
  from tracks t
 where t.id in (select jsonb_array_elements_text(?::jsonb))
   and exists (select 1 from listening_events e where e.track_id = t.id and e.user_id = ?)
union all
select 'album', al.id, al.name, al.uri, al.release_date, al.image_url
  from albums al
 where al.id in (select jsonb_array_elements_text(?::jsonb))
   and exists (select 1 from tracks t join listening_events e on e.track_id = t.id and e.user_id = ? where t.album_id = al.id)
union all
select 'artist', ar.id, ar.name, ar.uri, null, null
  from artists ar
 where ar.id in (select jsonb_array_elements_text(?::jsonb))
   and exists (select 1 from track_artists ta join listening_events e on e.track_id = ta.track_id and e.user_id = ? where ta.artist_id = ar.id)
