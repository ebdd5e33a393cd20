-- The daily model loses and invents nothing: per listener, its plays and time add up to the lake's counted plays.
with lake as (
  select user_id, count(*) as plays, sum(coalesce(p.ms_played, t.duration_ms, 0)) as listened_ms
    from {{ source('lake', 'plays') }} p
    left join {{ source('lake', 'tracks') }} t on t.id = p.track_id
   where p.source in ('poll', 'listenbrainz') or p.ms_played >= 30000
   group by user_id
),
model as (
  select user_id, sum(plays) as plays, sum(listened_ms) as listened_ms from {{ ref('daily_plays_per_user') }} group by user_id
)
select *
  from lake full join model using (user_id)
 where lake.plays is distinct from model.plays or lake.listened_ms is distinct from model.listened_ms
