-- lake_pending_day_sizes (services/features/lake/data/lake.repository.ts)
--
-- How many plays each changed day holds now (from the daily counts): how the lake run plans its
-- batches, and what it checks the rows it read against.

select d."day"::text as "day", coalesce(sum(c."plays"), 0)::bigint as "plays" from (select distinct "day" from "lake_changed_days") d left join "play_counts" c on c."day" = d."day" group by d."day" order by d."day"
