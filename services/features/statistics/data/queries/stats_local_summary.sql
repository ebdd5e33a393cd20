-- stats_local_summary (services/features/statistics/data/stats-local.repository.ts)
--
-- A listener’s whole-history summary in their own time zone: plays, time, active days and the longest
-- streak from stats_days (gaps-and-islands over the local days); distinct tracks, albums and artists,
-- and the first and last play, from stats_tracks (one row per track played) with the catalogue and the
-- names in the listener’s own streaming history. No row when the zone is not the user’s.

with zone as (select u.id from users u where u.id = ? and u.time_zone = ?),
days as (select d.day, d.plays, d.ms_played from stats_days d join zone on d.user_id = zone.id),
runs as (select day, day - (row_number() over (order by day))::int as run from days),
longest as (select count(*) as days, min(day) as first_day, max(day) as last_day from runs group by run order by count(*) desc, max(day) desc limit 1),
tracks as (select st.track_id, t.album_id, st.first_played_at, st.last_played_at from stats_tracks st join tracks t on t.id = st.track_id where st.user_id = ?),
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
select (select coalesce(sum(plays), 0) from days) as plays,
       (select coalesce(sum(ms_played), 0) from days) as ms_played,
       (select count(*) from tracks) as distinct_tracks,
       (select count(*) from artists) as distinct_artists,
       (select count(*) from albums) as distinct_albums,
       (select count(*) from days) as active_days,
       (select min(first_played_at) from tracks) as first_played_at,
       (select max(last_played_at) from tracks) as last_played_at,
       (select days from longest) as streak_days,
       (select to_char(first_day, 'YYYY-MM-DD') from longest) as streak_from,
       (select to_char(last_day, 'YYYY-MM-DD') from longest) as streak_to
  from zone
