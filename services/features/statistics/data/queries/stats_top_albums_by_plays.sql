-- stats_top_albums_by_plays (services/features/statistics/data/stats-rankings.repository.ts)
--
-- A listener’s albums over a range, recounted from its counted plays, ranked by plays, then time, then
-- id; its page after a cursor (the last item’s measures and id, so a page never repeats or skips an
-- item of the current ranking), and the number of items ranked. Window functions over a grouping of a
-- grouping are not the query builder’s.

with p as (
  select e.played_at, e.track_id, coalesce(e.ms_played, t.duration_ms) as ms, t.album_id
    from (select ?::uuid as id offset 0) me
    cross join lateral (select * from listening_events e where e.user_id = me.id and e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz) e join tracks t on t.id = e.track_id
   where playlog_counts_as_play(e.source, e.ms_played)),
items as (select p.album_id as id, p.ms, p.played_at from p where p.album_id is not null
          union all
          select n.export_album_id, p.ms, p.played_at from p join export_track_names n on n.track_id = p.track_id and n.user_id = ? where n.album_name is not null),
agg as (select id, count(*) as plays, sum(ms) as ms, min(played_at) as first_played_at, max(played_at) as last_played_at from items group by id),
counts as (select count(*) as total, count(*) filter (where (?::boolean or plays < ?::bigint or (plays = ?::bigint and ms < ?::bigint) or (plays = ?::bigint and ms = ?::bigint and id > ?))) as remaining from agg),
page as (select * from agg where (?::boolean or plays < ?::bigint or (plays = ?::bigint and ms < ?::bigint) or (plays = ?::bigint and ms = ?::bigint and id > ?)) order by plays desc, ms desc, id asc limit ?)
select counts.total, page.id, page.plays, page.ms, page.first_played_at, page.last_played_at,
       counts.total - counts.remaining + row_number() over (order by page.plays desc, page.ms desc, page.id asc) as rank
  from counts left join page on true
 order by rank
