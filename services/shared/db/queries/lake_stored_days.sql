-- lake_stored_days (services/shared/db/statements/catalogue.ts)
--
-- Every UTC day that holds a play (from the daily counts, not the plays): what a first export to an
-- empty lake writes.

select distinct "day"::text as "day" from "play_counts" order by 1
