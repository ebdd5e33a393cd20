-- stats_top_tracks_by_plays_all_time (services/features/statistics/data/stats-rankings.repository.ts)
--
-- A listener’s tracks over their whole history, from stats_tracks (a row per track they played, kept
-- by triggers on listening_events), ranked by plays, then time, then id; its page after a cursor (the
-- last item’s measures and id, so a page never repeats or skips an item of the current ranking), and
-- the number of items ranked. Window functions over a grouping of a grouping are not the query
-- builder’s.

with agg as not materialized (select track_id as id, plays, ms_played as ms, first_played_at, last_played_at from stats_tracks where user_id = ?),
counts as (select count(*) as total, count(*) filter (where (?::boolean or plays < ?::bigint or (plays = ?::bigint and ms < ?::bigint) or (plays = ?::bigint and ms = ?::bigint and id > ?))) as remaining from agg),
page as (select * from agg where (?::boolean or plays < ?::bigint or (plays = ?::bigint and ms < ?::bigint) or (plays = ?::bigint and ms = ?::bigint and id > ?)) order by plays desc, ms desc, id asc limit ?)
select counts.total, page.id, page.plays, page.ms, page.first_played_at, page.last_played_at,
       counts.total - counts.remaining + row_number() over (order by page.plays desc, page.ms desc, page.id asc) as rank
  from counts left join page on true
 order by rank
