-- The plays Playlog's statistics count (docs/stats.md): every polled play and every listen a player sent, and
-- an imported one when at least 30 s of it was played; its listening time is what was played, else the track's length.
-- An ephemeral building block of the three models (not materialised).
{{ config(materialized='ephemeral') }}

select p.user_id,
       p.played_at,
       make_date(p.year::integer, p.month::integer, p.day::integer) as day,
       p.track_id,
       coalesce(p.ms_played, t.duration_ms, 0) as listened_ms
  from {{ source('lake', 'plays') }} p
  left join {{ source('lake', 'tracks') }} t on t.id = p.track_id
 where p.source in ('poll', 'listenbrainz') or p.ms_played >= 30000
