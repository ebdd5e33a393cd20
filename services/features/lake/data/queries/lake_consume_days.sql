-- lake_consume_days (services/features/lake/data/lake.repository.ts)
--
-- Forgets the change records of the days a lake run has written: exactly the records it read, each
-- only where its change number is still the one the run saw, so a day changed again while it ran stays
-- pending for the next run. A record a writer holds locked (changing it now) is skipped, so the run
-- never waits for a writer nor deadlocks with one: it stays pending and the next run writes its day
-- again. Unnest of three arrays is not expressible in the ORM.

delete from "lake_changed_days" d
 where (d."day", d."backend_pid") in (
   select r."day", r."backend_pid" from "lake_changed_days" r
     join unnest(?::date[], ?::int[], ?::bigint[]) as s("day", "backend_pid", "change")
       on r."day" = s."day" and r."backend_pid" = s."backend_pid" and r."change" = s."change"
      for update of r skip locked)
returning d."day"::text as "day"
