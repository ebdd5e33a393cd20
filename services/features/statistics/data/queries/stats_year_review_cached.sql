-- stats_year_review_cached (services/features/statistics/data/year-reviews.repository.ts)
--
-- A user’s year in review as last computed for a year and time zone, with the version it was computed
-- at, and the version the year has now (the sum of the user’s year_review_versions up to it): the
-- review is current when the two agree. Both in one snapshot: a review computed next reads at least
-- the plays of the version read here.

select (select coalesce(sum(v.version), 0) from year_review_versions v where v.user_id = me.id and v.year <= me.year) as version,
       r.version as review_version, r.review
  from (select ?::uuid as id, ?::int as year, ?::text as time_zone) me
  left join year_reviews r on r.user_id = me.id and r.year = me.year and r.time_zone = me.time_zone
