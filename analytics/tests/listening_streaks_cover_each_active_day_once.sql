-- Streaks are whole runs: each spans exactly its days, they never touch or overlap, and each listener has one longest.
with checks as (
  select user_id, first_day, last_day, days, is_longest,
         lag(last_day) over (partition by user_id order by first_day) as previous_last_day
    from {{ ref('listening_streaks') }}
)
select user_id, first_day, 'wrong length' as problem from checks where last_day - first_day + 1 <> days
union all
select user_id, first_day, 'touches or overlaps the previous streak' from checks where previous_last_day is not null and first_day <= previous_last_day + 1
union all
select user_id, null, 'not exactly one longest streak' from checks group by user_id having count(*) filter (where is_longest) <> 1
union all
select d.user_id, d.day, 'active day in no streak' from {{ ref('daily_plays_per_user') }} d
 where not exists (select 1 from {{ ref('listening_streaks') }} s where s.user_id = d.user_id and d.day between s.first_day and s.last_day)
