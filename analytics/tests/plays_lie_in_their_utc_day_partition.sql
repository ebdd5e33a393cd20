-- The lake's promise the models rely on: a play's partition (year/month/day) is the UTC day of played_at.
select user_id, played_at, year, month, day
  from {{ source('lake', 'plays') }}
 where make_date(year::integer, month::integer, day::integer) <> timezone('UTC', played_at)::date
