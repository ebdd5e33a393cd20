-- history_page_of_tracks_backward (services/features/history/data/history-filter.repository.ts)
--
-- A page of a user’s plays read oldest first from its end, narrowed to a set of tracks (a history
-- filtered by track, album or artist): the keyset page statement with `track_id = any(…)`, the set
-- bound as one array parameter. Postgres walks the primary key from the cursor, or the (track_id,
-- user_id) index for a few rarely played tracks and sorts them, whichever its statistics say is
-- cheaper.

(select to_char(e.played_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as played_at_text,
       e.played_at, e.track_id, e.context_type, e.context_uri, e.source, e.ms_played, false as beyond
   from listening_events e
  where e.user_id = ?
    and e.track_id = any(?::text[])
    and (e.played_at, e.track_id) < (?::timestamptz, ?)
    and (e.played_at, e.track_id) > (?::timestamptz, ?)
    and e.played_at >= ?::timestamptz
    and e.played_at < ?::timestamptz
  order by e.played_at asc, e.track_id asc
  limit ?)
union all
(select to_char(e.played_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as played_at_text,
       e.played_at, e.track_id, e.context_type, e.context_uri, e.source, e.ms_played, true as beyond
   from listening_events e
  where e.user_id = ?
    and e.track_id = any(?::text[])
    and (e.played_at, e.track_id) < (?::timestamptz, ?)
    and e.played_at >= ?::timestamptz
    and e.played_at < ?::timestamptz
  order by e.played_at desc, e.track_id desc
  limit 1)
order by beyond, played_at asc, track_id asc
