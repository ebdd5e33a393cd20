-- Each listener's streaks: runs of consecutive UTC days with at least one counted play (a day without one
-- ends a run). Gaps and islands: along a run, a day minus its position among the listener's days is
-- constant. is_longest marks each listener's longest run (the latest of the longest on a tie), as
-- Playlog's listeningSummary picks it.
with active_days as (
  select user_id, day, plays,
         day - cast(row_number() over (partition by user_id order by day) as integer) as run
    from {{ ref('daily_plays_per_user') }}
),
runs as (
  select user_id,
         min(day) as start_day,
         max(day) as end_day,
         count(*) as length_days,
         sum(plays)::bigint as plays
    from active_days
   group by user_id, run
)
select user_id, start_day, end_day, length_days, plays,
       row_number() over (partition by user_id order by length_days desc, end_day desc) = 1 as is_longest
  from runs
