-- The daily model loses and invents nothing: per listener, its plays and listening time add up to the
-- lake's counted plays, counted here straight from the source with the rules written out again
-- (a play counts when polled or imported with >= 30 s; its time is coalesce(ms_played, duration_ms)).
with lake as (
  select p.user_id, count(*) as plays, coalesce(sum(coalesce(p.ms_played, t.duration_ms)), 0) as ms_played
    from {{ source('lake', 'plays') }} p
    left join {{ source('lake', 'tracks') }} t on t.id = p.track_id
   where p.source = 'poll' or p.ms_played >= 30000
   group by p.user_id
),
model as (
  select user_id, sum(plays) as plays, sum(ms_played) as ms_played
    from {{ ref('daily_plays_per_user') }}
   group by user_id
)
select user_id, lake.plays as lake_plays, model.plays as model_plays, lake.ms_played as lake_ms, model.ms_played as model_ms
  from lake full join model using (user_id)
 where lake.plays is distinct from model.plays or lake.ms_played is distinct from model.ms_played
