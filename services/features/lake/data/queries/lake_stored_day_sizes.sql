-- lake_stored_day_sizes (services/features/lake/data/lake.repository.ts)
--
-- How many plays every day holds (from the daily counts): the plan and the check of a first lake run.

select "day"::text as "day", sum("plays")::bigint as "plays" from "play_counts" group by "day" order by "day"
