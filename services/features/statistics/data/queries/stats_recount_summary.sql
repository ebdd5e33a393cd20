-- stats_recount_summary (services/features/statistics/data/stats-recount.repository.ts)
--
-- A listener’s summary over a range: counted plays, their time, distinct tracks, artists (credited
-- ones, and those only the listener’s own streaming history names) and albums, active local days,
-- first and last play, and the longest run of consecutive local days with a play (gaps-and-islands: a
-- day minus its rank is constant along a run). One pass over the range’s plays; window functions and
-- distinct counts across three tables are not the query builder’s.

with p as (
  select e.played_at, e.track_id, coalesce(e.ms_played, t.duration_ms) as ms, t.album_id, (e.played_at at time zone ?)::date as day
    from (select ?::uuid as id offset 0) me
    cross join lateral (select * from listening_events e where e.user_id = me.id and e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz) e join tracks t on t.id = e.track_id
   where playlog_counts_as_play(e.source, e.ms_played)),
days as (select distinct day from p),
runs as (select day, day - (row_number() over (order by day))::int as run from days),
longest as (select count(*) as days, min(day) as first_day, max(day) as last_day from runs group by run order by count(*) desc, max(day) desc limit 1),
tracks as (select distinct track_id, album_id from p),
artists as (
  select ta.artist_id as artist from tracks x join track_artists ta on ta.track_id = x.track_id
  union
  select 'export:' || n.artist_name from tracks x join export_track_names n on n.track_id = x.track_id and n.user_id = ? where n.artist_name is not null
),
albums as (
  select x.album_id as album from tracks x where x.album_id is not null
  union
  select 'export:' || json_build_array(n.artist_name, n.album_name)::text from tracks x join export_track_names n on n.track_id = x.track_id and n.user_id = ? where n.album_name is not null
)
select (select count(*) from p) as plays,
       (select coalesce(sum(ms), 0) from p) as ms_played,
       (select count(*) from tracks) as distinct_tracks,
       (select count(*) from artists) as distinct_artists,
       (select count(*) from albums) as distinct_albums,
       (select count(*) from days) as active_days,
       (select min(played_at) from p) as first_played_at,
       (select max(played_at) from p) as last_played_at,
       (select days from longest) as streak_days,
       (select to_char(first_day, 'YYYY-MM-DD') from longest) as streak_from,
       (select to_char(last_day, 'YYYY-MM-DD') from longest) as streak_to
