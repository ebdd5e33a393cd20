-- history_page_tracks (services/features/catalogue/data/track-rows.repository.ts)
--
-- The tracks of a history page with their albums and their artists in billing order: ONE query however
-- many plays the page holds (no N+1, and one round trip rather than three). The ids travel as one JSON
-- array (knex would expand a JavaScript array into a list of parameters, a new statement text per page
-- size), and the artists of each track are aggregated in Postgres, so rows map straight to objects.
-- The history benchmark measures this path.

select t.id, t.name, t.uri, t.duration_ms,
       al.id as album_id, al.name as album_name, al.uri as album_uri,
       al.release_date as album_release_date, al.image_url as album_image_url,
       coalesce((select json_agg(json_build_object('id', ar.id, 'name', ar.name, 'uri', ar.uri) order by ta.position)
                   from track_artists ta join artists ar on ar.id = ta.artist_id
                  where ta.track_id = t.id), '[]'::json) as artists
  from tracks t
  left join albums al on al.id = t.album_id
 where t.id in (select jsonb_array_elements_text(?::jsonb))
