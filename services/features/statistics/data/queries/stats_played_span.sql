-- stats_played_span (services/features/statistics/data/stats.repository.ts)
--
-- The first and last counted play of a user in a range (where an unbounded activity range starts and
-- ends): two walks of the primary key from either end, stopping at the first play that counts.

select (select e.played_at from listening_events e where e.user_id = ? and e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz and playlog_counts_as_play(e.source, e.ms_played) order by e.played_at asc limit 1) as first_played_at,
       (select e.played_at from listening_events e where e.user_id = ? and e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz and playlog_counts_as_play(e.source, e.ms_played) order by e.played_at desc limit 1) as last_played_at
