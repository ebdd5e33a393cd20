-- stats_rebuild_year_review_version (services/features/statistics/data/stats-rebuild.repository.ts)
--
-- A rebuilt user’s years in review are computed again: their version of year 0, which every year
-- counts, moves on (a review counts the rollups too, which the rebuild may have changed without a play
-- changing).

insert into year_review_versions (user_id, year, version) values (?, 0, 1)
on conflict (user_id, year) do update set version = year_review_versions.version + 1
