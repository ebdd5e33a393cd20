-- One row per listener and UTC day with at least one counted play (counted_plays has the rules):
-- plays counted, their listening time in ms, and how many different tracks they were.
select user_id,
       day,
       count(*) as plays,
       coalesce(sum(ms_played), 0)::bigint as ms_played,
       count(distinct track_id) as distinct_tracks
  from {{ ref('counted_plays') }}
 group by user_id, day
