-- lake_pending_tables (services/features/lake/data/lake.repository.ts)
--
-- The change records of the catalogue tables that changed since the lake last saw them: one per table
-- and backend, with its change number.

select "name", "backend_pid", "change" from "lake_changed_tables" order by "name", "backend_pid"
