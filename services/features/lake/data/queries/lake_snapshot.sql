-- lake_snapshot (services/features/lake/data/lake.repository.ts)
--
-- The transaction snapshot a lake run reads in, recorded in the lake’s manifest as the version of the
-- data it holds.

select pg_current_snapshot()::text as "snapshot", now() as "as_of"
