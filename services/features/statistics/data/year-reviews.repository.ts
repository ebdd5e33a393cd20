import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { bigintNumber, defineStatement, runStatement } from '../../../shared/db/statements/statement.js';

/** How many reviews (years and zones) of one user are kept: the most recently computed. */
export const YEAR_REVIEWS_KEPT_PER_USER = 64;

export const cachedYearReviewStatement = defineStatement({
  name: 'stats_year_review_cached',
  purpose: [
    'A user’s year in review as last computed for a year and time zone, with the version it was computed at, and the',
    'version the year has now (the sum of the user’s year_review_versions up to it): the review is current when the',
    'two agree. Both in one snapshot: a review computed next reads at least the plays of the version read here.',
  ].join(' '),
  sql: `
select (select coalesce(sum(v.version), 0) from year_review_versions v where v.user_id = me.id and v.year <= me.year) as version,
       r.version as review_version, r.review
  from (select ?::uuid as id, ?::int as year, ?::text as time_zone) me
  left join year_reviews r on r.user_id = me.id and r.year = me.year and r.time_zone = me.time_zone`,
  row: z.object({ version: bigintNumber, review_version: bigintNumber.nullable(), review: z.unknown() }),
});

export const storeYearReviewStatement = defineStatement({
  name: 'stats_year_review_store',
  purpose: [
    'Keeps a computed year in review with its version, unless one of a later version is kept already, and drops the',
    'user’s others beyond the most recently computed few (a user asking for many years and zones keeps a bounded number;',
    'the statement’s snapshot does not hold the row it stores, which is kept whatever it counts).',
  ].join(' '),
  sql: `
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
 where r.user_id = ?::uuid and r.year = old.year and r.time_zone = old.time_zone`,
  row: z.object({}),
});

export interface YearReviewKey {
  userId: string;
  year: number;
  timeZone: string;
}

/** The review kept for this key, when it is current (else null), and the year's version now. */
export async function cachedYearReview(em: EntityManager, key: YearReviewKey): Promise<{ version: number; review: unknown }> {
  const [row] = await runStatement(em, cachedYearReviewStatement, [key.userId, key.year, key.timeZone]);
  if (!row) throw new Error('stats_year_review_cached returned no row');
  return { version: row.version, review: row.review_version === row.version ? row.review : null };
}

/** Keeps a review computed at `version` (its JSON). */
export async function storeYearReview(em: EntityManager, key: YearReviewKey, version: number, review: unknown): Promise<void> {
  await runStatement(em, storeYearReviewStatement, [key.userId, key.year, key.timeZone, version, JSON.stringify(review), key.userId, key.year, key.timeZone, YEAR_REVIEWS_KEPT_PER_USER - 1, key.userId]);
}
