-- stats_local_year (services/features/statistics/data/stats.repository.ts)
--
-- The instants a local calendar year starts and ends in a time zone (its first instants: a local
-- midnight that does not exist is skipped).

select make_timestamp(?::int, 1, 1, 0, 0, 0) at time zone ? as starts, make_timestamp(?::int + 1, 1, 1, 0, 0, 0) at time zone ? as ends
