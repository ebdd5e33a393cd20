import { EntitySchema } from '@mikro-orm/core';
import type { User } from '../../accounts/data/user.entity.js';

/**
 * A year in review as it was last computed (year-reviews.repository.ts): its figures and item ids, without
 * names (those are read with each answer), for one user, year and time zone. It is served only while the
 * user's version of that year is still the one it was computed at.
 */
export class YearReview {
  user!: User;
  year!: number;
  timeZone!: string;
  /** The sum of the user's year_review_versions up to this year when the review was computed. */
  version!: string;
  review!: unknown;
  computedAt!: Date;
}

export const YearReviewSchema = new EntitySchema<YearReview>({
  class: YearReview,
  tableName: 'year_reviews',
  properties: {
    user: { kind: 'm:1', entity: 'User', primary: true, deleteRule: 'cascade', fieldName: 'user_id' },
    year: { type: 'integer', primary: true },
    timeZone: { type: 'string', columnType: 'text', primary: true },
    version: { type: 'bigint' },
    review: { type: 'json' },
    computedAt: { type: 'Date', columnType: 'timestamptz' },
  },
});

/**
 * How often a user's counted plays (or the names and credits of their tracks) changed, by the earliest UTC
 * year a change could reach: the triggers of listening_events, export_track_names and track_artists add one
 * to the row of that year in the transaction of the change (docs/stats.md, "The year in review"). A change
 * reaches every later year too (a year's new artists depend on all plays before it), so a review of year Y is
 * current while the sum of its user's rows up to Y is what it was. Year 0 is reached by every review.
 */
export class YearReviewVersion {
  user!: User;
  year!: number;
  version!: string;
}

export const YearReviewVersionSchema = new EntitySchema<YearReviewVersion>({
  class: YearReviewVersion,
  tableName: 'year_review_versions',
  properties: {
    user: { kind: 'm:1', entity: 'User', primary: true, deleteRule: 'cascade', fieldName: 'user_id' },
    year: { type: 'integer', primary: true },
    version: { type: 'bigint' },
  },
});
