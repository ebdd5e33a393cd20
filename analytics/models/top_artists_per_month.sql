-- Each listener's most played artists of each UTC month. As in Playlog's rankings, every artist credited
-- on a track counts its play once; ties go to listening time, then to the artist's id.
with credited as (
  select c.user_id,
         date_trunc('month', c.day)::date as month,
         ta.artist_id,
         c.listened_ms
    from {{ ref('counted_plays') }} c
    join {{ source('lake', 'track_artists') }} ta on ta.track_id = c.track_id
),
totals as (
  select user_id, month, artist_id, count(*) as plays, sum(listened_ms) as listened_ms
    from credited
   group by user_id, month, artist_id
),
ranked as (
  select t.*, a.name as artist_name,
         row_number() over (partition by t.user_id, t.month order by t.plays desc, t.listened_ms desc, t.artist_id) as rank
    from totals t
    join {{ source('lake', 'artists') }} a on a.id = t.artist_id
)
select user_id, month, rank, artist_id, artist_name, plays, listened_ms
  from ranked
 where rank <= {{ var('top_artists') }}
