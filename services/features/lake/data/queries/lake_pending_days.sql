-- lake_pending_days (services/features/lake/data/lake.repository.ts)
--
-- The UTC days whose plays changed since the lake last saw them (recorded by the triggers on
-- listening_events), each with its change number. Read by the lake run in its snapshot.

select "day"::text as "day", "change" from "lake_changed_days" order by "day"
