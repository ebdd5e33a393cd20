-- One row per listener and UTC day with at least one counted play.
select user_id,
       day,
       count(*) as plays,
       sum(listened_ms) as listened_ms,
       count(distinct track_id) as distinct_tracks
  from {{ ref('counted_plays') }}
 group by user_id, day
