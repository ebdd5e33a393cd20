-- Ranks of a listener's month are 1, 2, … with no gap, no repeat, and at most var('top_artists') of them.
select user_id, month, count(*) as artists, min(rank) as first_rank, max(rank) as last_rank, count(distinct rank) as ranks
  from {{ ref('top_artists_per_month') }}
 group by user_id, month
having min(rank) <> 1 or max(rank) <> count(*) or count(distinct rank) <> count(*) or count(*) > {{ var('top_artists') }}
