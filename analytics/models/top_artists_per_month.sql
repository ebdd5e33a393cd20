-- Each listener's most played artists of each UTC month (var top_artists, 10 by default), a play going to
-- its track's main artist (track_artists.position = 0) only. Playlog's own topArtists credits every artist
-- of a track instead; drop the position filter below for that. Ranked by counted plays, ties going to
-- listening time, then to the artist's id, as Playlog's rankings break them.
with main_artist_plays as (
  select c.user_id,
         date_trunc('month', c.day)::date as month,
         ta.artist_id,
         c.ms_played
    from {{ ref('counted_plays') }} c
    join {{ source('lake', 'track_artists') }} ta on ta.track_id = c.track_id and ta.position = 0
),
totals as (
  select user_id, month, artist_id, count(*) as plays, coalesce(sum(ms_played), 0)::bigint as ms_played
    from main_artist_plays
   group by user_id, month, artist_id
),
ranked as (
  select t.*,
         a.name as artist_name,
         row_number() over (partition by t.user_id, t.month order by t.plays desc, t.ms_played desc, t.artist_id) as rank
    from totals t
    left join {{ source('lake', 'artists') }} a on a.id = t.artist_id
)
select user_id, month, rank, artist_id, artist_name, plays, ms_played
  from ranked
 where rank <= {{ var('top_artists') }}
