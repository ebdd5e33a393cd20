-- lake_consume_tables (services/features/lake/data/lake.repository.ts)
--
-- Forgets the change records of the catalogue tables a lake run has written, as lake_consume_days does
-- for days.

delete from "lake_changed_tables" t
 where (t."name", t."backend_pid") in (
   select r."name", r."backend_pid" from "lake_changed_tables" r
     join unnest(?::text[], ?::int[], ?::bigint[]) as s("name", "backend_pid", "change")
       on r."name" = s."name" and r."backend_pid" = s."backend_pid" and r."change" = s."change"
      for update of r skip locked)
returning t."name"
