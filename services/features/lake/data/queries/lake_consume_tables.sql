-- lake_consume_tables (services/features/lake/data/lake.repository.ts)
--
-- Forgets the changed catalogue tables a lake run has written, only where the change number is still
-- the one it saw.

delete from "lake_changed_tables" t
 using unnest(?::text[], ?::bigint[]) as s("name", "change")
 where t."name" = s."name" and t."change" = s."change"
returning t."name"
