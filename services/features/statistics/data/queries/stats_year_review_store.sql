-- stats_year_review_store (services/features/statistics/data/year-reviews.repository.ts)
--
-- Keeps a computed year in review with its version, unless one of a later version is kept already, and
-- drops the user’s others beyond the most recently computed few (a user asking for many years and
-- zones keeps a bounded number; the statement’s snapshot does not hold the row it stores, which is
-- kept whatever it counts).

with stored as (
  insert into year_reviews (user_id, year, time_zone, version, review, computed_at)
  values (?::uuid, ?::int, ?::text, ?::bigint, ?::jsonb, now())
  on conflict (user_id, year, time_zone) do update set version = excluded.version, review = excluded.review, computed_at = excluded.computed_at
   where year_reviews.version <= excluded.version
  returning 1
)
delete from year_reviews r
 using (select k.year, k.time_zone from year_reviews k where k.user_id = ?::uuid and (k.year, k.time_zone) <> (?::int, ?::text)
         order by k.computed_at desc, k.year desc, k.time_zone offset ?) old
 where r.user_id = ?::uuid and r.year = old.year and r.time_zone = old.time_zone
