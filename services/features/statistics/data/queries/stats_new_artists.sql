-- stats_new_artists (services/features/statistics/data/stats-rankings.repository.ts)
--
-- The artists a listener first heard in a range (their first counted play ever falls in it: from
-- stats_tracks, a row per track played with its first play): how many, and the most played of them in
-- the range, recounted from its plays and ranked as topArtists ranks.

with st as (select * from stats_tracks where user_id = ?),
credits as (select distinct on (st.track_id, ta.artist_id) ta.artist_id as id, st.plays, st.ms_played as ms, st.first_played_at, st.last_played_at, st.track_id from st join track_artists ta on ta.track_id = st.track_id
          union all
          select n.export_artist_id, st.plays, st.ms_played, st.first_played_at, st.last_played_at, st.track_id from st join export_track_names n on n.track_id = st.track_id and n.user_id = ? where n.artist_name is not null),
firsts as (select id from credits group by id having min(first_played_at) >= ?::timestamptz and min(first_played_at) < ?::timestamptz),
p as (
  select e.played_at, e.track_id, coalesce(e.ms_played, t.duration_ms) as ms, t.album_id
    from (select ?::uuid as id offset 0) me
    cross join lateral (select * from listening_events e where e.user_id = me.id and e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz) e join tracks t on t.id = e.track_id
   where playlog_counts_as_play(e.source, e.ms_played)),
items as (select distinct ta.artist_id as id, p.ms, p.played_at, p.track_id from p join track_artists ta on ta.track_id = p.track_id
          union all
          select n.export_artist_id, p.ms, p.played_at, p.track_id from p join export_track_names n on n.track_id = p.track_id and n.user_id = ? where n.artist_name is not null),
agg as (
  select i.id, count(*) as plays, sum(i.ms) as ms, min(i.played_at) as first_played_at, max(i.played_at) as last_played_at
    from items i join firsts f on f.id = i.id
   group by i.id
),
ranked as (select agg.*, row_number() over (order by plays desc, ms desc, id asc) as rank from agg)
select (select count(*) from firsts) as total, r.id, r.plays, r.ms, r.first_played_at, r.last_played_at, r.rank
  from (select 1) one left join (select * from ranked order by rank limit ?) r on true
 order by r.rank
