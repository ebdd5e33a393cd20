-- lake_pending_days (services/features/lake/data/lake.repository.ts)
--
-- The change records of the UTC days whose plays changed since the lake last saw them (written by the
-- triggers on listening_events): one per day and backend that changed it, with its change number. Read
-- by the lake run in its snapshot.

select "day"::text as "day", "backend_pid", "change" from "lake_changed_days" order by "day", "backend_pid"
