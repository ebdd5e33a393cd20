-- Fails with every (listener, day) that has more than one row.
select user_id, day, count(*) as rows
  from {{ ref('daily_plays_per_user') }}
 group by user_id, day
having count(*) > 1
