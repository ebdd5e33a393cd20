-- history_page_backward (services/features/history/data/history.repository.ts)
--
-- A page of a user’s plays read oldest first from its end (last/before), by keyset pagination over the
-- listening_events primary key (user_id, played_at, track_id): `(played_at, track_id)` between the
-- cursors, `size + 1` rows to know whether the page has a successor, and one more index probe (the
-- `beyond` row) to know whether plays lie on the other side of the cursor it starts from. Both are
-- walks of the index from a cursor, so a page deep in a long history costs what the first page costs
-- (no OFFSET), and plays stored between two pages never shift them. Row comparisons are not
-- expressible in the query builder, and the history benchmark measures this path. played_at also comes
-- back as text with microseconds, so cursors keep Postgres’ full precision.

(select to_char(e.played_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as played_at_text,
       e.played_at, e.track_id, e.context_type, e.context_uri, e.source, e.ms_played, false as beyond
   from listening_events e
  where e.user_id = ?
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
    and (e.played_at, e.track_id) < (?::timestamptz, ?)
    and e.played_at >= ?::timestamptz
    and e.played_at < ?::timestamptz
  order by e.played_at desc, e.track_id desc
  limit 1)
order by beyond, played_at asc, track_id asc
