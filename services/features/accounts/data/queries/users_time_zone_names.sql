-- users_time_zone_names (services/features/accounts/data/users.repository.ts)
--
-- Every time zone name Postgres knows (its pg_timezone_names view scans the zone files: tens of
-- milliseconds), read once per process.

select name from pg_timezone_names
