-- search_played_items (services/features/search/data/search.repository.ts)
--
-- The tracks, albums and artists one listener played whose names match a query, with their counted
-- plays and time (from stats_tracks, as the all-time rankings count them), most played first: names in
-- the catalogue, found by their trigram indexes, then kept only where the listener has plays; and the
-- names the listener’s own streaming history gave tracks Spotify no longer knows, only theirs. A
-- catalogue track known by its id alone is matched by those names only (its catalogue row names
-- nobody’s track). Its page (limit, offset) and how many matched. Trigram operators and a union of six
-- sources are beyond the query builder.

with q as (select playlog_search_key(?::text) as key, ?::uuid as user_id),
hits as (
  select 'track' as kind, t.id, st.plays, st.ms_played as ms, word_similarity(q.key, playlog_search_key(t.name)) as score
    from q join tracks t on q.key <% playlog_search_key(t.name)
    cross join lateral (select st.plays, st.ms_played from stats_tracks st where st.user_id = q.user_id and st.track_id = t.id offset 0) st
   where not (t.duration_ms = 0 and t.album_id is null)
  union all
  select 'track', n.track_id, st.plays, st.ms_played, word_similarity(q.key, playlog_search_key(n.track_name))
    from q join export_track_names n on n.user_id = q.user_id and q.key <% playlog_search_key(n.track_name)
    cross join lateral (select st.plays, st.ms_played from stats_tracks st where st.user_id = q.user_id and st.track_id = n.track_id offset 0) st
  union all
  select 'album', al.id, s.plays, s.ms, word_similarity(q.key, playlog_search_key(al.name))
    from q join albums al on q.key <% playlog_search_key(al.name)
    cross join lateral (select sum(st.plays) as plays, sum(st.ms_played) as ms from tracks t join stats_tracks st on st.user_id = q.user_id and st.track_id = t.id where t.album_id = al.id) s
   where s.plays is not null
  union all
  select 'album', n.export_album_id, sum(st.plays), sum(st.ms_played), max(word_similarity(q.key, playlog_search_key(n.album_name)))
    from q join export_track_names n on n.user_id = q.user_id and q.key <% playlog_search_key(n.album_name)
    join stats_tracks st on st.user_id = q.user_id and st.track_id = n.track_id
   where n.export_album_id is not null
   group by n.export_album_id
  union all
  select 'artist', ar.id, s.plays, s.ms, word_similarity(q.key, playlog_search_key(ar.name))
    from q join artists ar on q.key <% playlog_search_key(ar.name)
    cross join lateral (select sum(st.plays) as plays, sum(st.ms_played) as ms from stats_tracks st
                         where st.user_id = q.user_id and st.track_id in (select ta.track_id from track_artists ta where ta.artist_id = ar.id)) s
   where s.plays is not null
  union all
  select 'artist', n.export_artist_id, sum(st.plays), sum(st.ms_played), max(word_similarity(q.key, playlog_search_key(n.artist_name)))
    from q join export_track_names n on n.user_id = q.user_id and q.key <% playlog_search_key(n.artist_name)
    join stats_tracks st on st.user_id = q.user_id and st.track_id = n.track_id
   where n.export_artist_id is not null
   group by n.export_artist_id
)
select (select count(*) from hits) as total, p.kind, p.id, p.plays, p.ms
  from (select 1) one
  left join (select * from hits order by plays desc, score desc, ms desc, kind, id limit ? offset ?) p on true
 order by p.plays desc, p.score desc, p.ms desc, p.kind, p.id
