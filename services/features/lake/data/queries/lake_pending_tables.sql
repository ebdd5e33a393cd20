-- lake_pending_tables (services/features/lake/data/lake.repository.ts)
--
-- The catalogue tables that changed since the lake last saw them, each with its change number.

select "name", "change" from "lake_changed_tables" order by "name"
