-- history_count (services/features/history/data/history.repository.ts)
--
-- How many plays a user has in a range (a history connection’s totalCount), without counting a long
-- history play by play: the whole UTC days inside the range are summed from play_counts (kept exact by
-- triggers on listening_events), and only the plays of the partial days at its two ends are counted,
-- each by one range scan of the primary key. The history benchmark measures it beside count(*).

select (select coalesce(sum(c.plays), 0) from play_counts c where c.user_id = ? and c.day >= ?::date and c.day < ?::date)
     + (select count(*) from listening_events e where e.user_id = ? and e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz)
     + (select count(*) from listening_events e where e.user_id = ? and e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz)
       as total
