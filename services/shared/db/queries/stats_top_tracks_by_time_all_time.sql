-- stats_top_tracks_by_time_all_time (services/shared/db/statements/catalogue.ts)
--
-- A listener’s tracks over their whole history, from stats_tracks (a row per track they played, kept
-- by triggers on listening_events), ranked by time, then plays, then id; its page after a cursor (the
-- last item’s measures and id, so a page never repeats or skips an item of the current ranking), and
-- the number of items ranked. Window functions over a grouping of a grouping are not the query
-- builder’s.

with st as (select * from stats_tracks where user_id = ?),
items as (select st.track_id as id, st.plays, st.ms_played as ms, st.first_played_at, st.last_played_at from st),
agg as (select id, sum(plays) as plays, sum(ms) as ms, min(first_played_at) as first_played_at, max(last_played_at) as last_played_at from items group by id),
ranked as (select agg.*, row_number() over (order by ms desc, plays desc, id asc) as rank from agg),
page as (
  select * from ranked
   where ?::boolean
      or ms < ?::bigint
      or (ms = ?::bigint and plays < ?::bigint)
      or (ms = ?::bigint and plays = ?::bigint and id > ?)
   order by rank
   limit ?
)
select (select count(*) from agg) as total, page.id, page.plays, page.ms, page.first_played_at, page.last_played_at, page.rank
  from (select 1) one left join page on true
 order by page.rank
