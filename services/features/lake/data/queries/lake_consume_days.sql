-- lake_consume_days (services/features/lake/data/lake.repository.ts)
--
-- Forgets the changed days a lake run has written: only where the change number is still the one the
-- run saw, so a day changed again while it ran stays pending for the next run. Unnest of two arrays is
-- not expressible in the ORM.

delete from "lake_changed_days" d
 using unnest(?::date[], ?::bigint[]) as s("day", "change")
 where d."day" = s."day" and d."change" = s."change"
returning d."day"::text as "day"
