-- stats_top_artists_by_time_all_time (services/features/statistics/data/stats-rankings.repository.ts)
--
-- A listener’s artists over their whole history, from stats_tracks (a row per track they played, kept
-- by triggers on listening_events), ranked by time, then plays, then id; its page after a cursor (the
-- last item’s measures and id, so a page never repeats or skips an item of the current ranking), and
-- the number of items ranked. Window functions over a grouping of a grouping are not the query
-- builder’s.

with st as (select * from stats_tracks where user_id = ?),
items as (select distinct on (st.track_id, ta.artist_id) ta.artist_id as id, st.plays, st.ms_played as ms, st.first_played_at, st.last_played_at, st.track_id from st join track_artists ta on ta.track_id = st.track_id
          union all
          select n.export_artist_id, st.plays, st.ms_played, st.first_played_at, st.last_played_at, st.track_id from st join export_track_names n on n.track_id = st.track_id and n.user_id = ? where n.artist_name is not null),
agg as (select id, sum(plays) as plays, sum(ms) as ms, min(first_played_at) as first_played_at, max(last_played_at) as last_played_at from items group by id),
counts as (select count(*) as total, count(*) filter (where (?::boolean or ms < ?::bigint or (ms = ?::bigint and plays < ?::bigint) or (ms = ?::bigint and plays = ?::bigint and id > ?))) as remaining from agg),
page as (select * from agg where (?::boolean or ms < ?::bigint or (ms = ?::bigint and plays < ?::bigint) or (ms = ?::bigint and plays = ?::bigint and id > ?)) order by ms desc, plays desc, id asc limit ?)
select counts.total, page.id, page.plays, page.ms, page.first_played_at, page.last_played_at,
       counts.total - counts.remaining + row_number() over (order by page.ms desc, page.plays desc, page.id asc) as rank
  from counts left join page on true
 order by rank
