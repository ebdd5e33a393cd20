-- Runs of consecutive UTC days on which a listener had at least one counted play ("gaps and islands":
-- within a run, day minus its position is constant). is_longest marks each listener's longest run (the
-- latest, on a tie), as Playlog's listeningSummary does.
with days as (
  select user_id, day, plays,
         day - cast(row_number() over (partition by user_id order by day) as integer) as run
    from {{ ref('daily_plays_per_user') }}
),
runs as (
  select user_id,
         min(day) as first_day,
         max(day) as last_day,
         count(*) as days,
         sum(plays) as plays
    from days
   group by user_id, run
)
select user_id, first_day, last_day, days, plays,
       row_number() over (partition by user_id order by days desc, last_day desc) = 1 as is_longest
  from runs
