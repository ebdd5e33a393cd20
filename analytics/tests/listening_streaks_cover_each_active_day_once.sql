-- Streaks are whole runs: each spans exactly its days, they never touch or overlap, every active day lies
-- in one, and each listener has exactly one longest.
with checks as (
  select user_id, start_day, end_day, length_days,
         lag(end_day) over (partition by user_id order by start_day) as previous_end_day
    from {{ ref('listening_streaks') }}
)
select user_id, start_day as day, 'wrong length' as problem
  from checks where end_day - start_day + 1 <> length_days
union all
select user_id, start_day, 'touches or overlaps the previous streak'
  from checks where previous_end_day is not null and start_day <= previous_end_day + 1
union all
select user_id, null, 'not exactly one longest streak'
  from {{ ref('listening_streaks') }} group by user_id having count(*) filter (where is_longest) <> 1
union all
select d.user_id, d.day, 'active day in no streak'
  from {{ ref('daily_plays_per_user') }} d
 where not exists (select 1 from {{ ref('listening_streaks') }} s
                    where s.user_id = d.user_id and d.day between s.start_day and s.end_day)
