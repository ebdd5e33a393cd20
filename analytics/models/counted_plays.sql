-- The plays Playlog's statistics count (docs/stats.md), one row each, with the rules in one place:
--   a play counts when it was polled (source = 'poll'), or imported with ms_played >= 30000 (30 s);
--   its listening time is coalesce(ms_played, tracks.duration_ms): what was played where known
--   (imports), else the track's length (polls: Spotify does not say how long a play lasted).
-- day is the play's UTC day, read from its Hive partition (DuckDB may read month and day as text such
-- as '03', hence the casts), never from played_at, whose date would follow the session's time zone.
-- Ephemeral: inlined into the models that use it, not stored.
{{ config(materialized='ephemeral') }}

select p.user_id,
       make_date(p.year::integer, p.month::integer, p.day::integer) as day,
       p.played_at,
       p.track_id,
       coalesce(p.ms_played, t.duration_ms) as ms_played
  from {{ source('lake', 'plays') }} p
  left join {{ source('lake', 'tracks') }} t on t.id = p.track_id
 where p.source = 'poll' or p.ms_played >= 30000
