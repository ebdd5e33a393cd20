-- lake_try_lock (services/features/lake/data/lake.repository.ts)
--
-- A session-level advisory lock: one lake run at a time, released when its connection ends, even by a
-- crash.

select pg_try_advisory_lock(hashtext('playlog:lake-export')) as "locked"
