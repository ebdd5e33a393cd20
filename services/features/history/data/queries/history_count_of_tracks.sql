-- history_count_of_tracks (services/features/history/data/history-filter.repository.ts)
--
-- How many plays of a set of tracks a user has in a range (the totalCount of a filtered history): a
-- count over the (track_id, user_id) index; the daily counts cover all of a user’s plays, not a
-- track’s.

select count(*) as total
  from listening_events e
 where e.user_id = ?
   and e.track_id = any(?::text[])
   and e.played_at >= ?::timestamptz
   and e.played_at < ?::timestamptz
