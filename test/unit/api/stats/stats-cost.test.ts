// The statistics' GraphQL types (ActivityBucket) are decorated classes: type-graphql needs the metadata API loaded first, as the API's entry point does.
import 'reflect-metadata';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../services/api/app-error.js';
import { localBucketCount } from '../../../../services/api/stats/local-buckets.js';
import { MAX_ACTIVITY_BUCKETS, activityBucketCount, checkActivityBuckets } from '../../../../services/api/stats/stats-cost.js';
import { ActivityBucket } from '../../../../services/api/stats/stats.types.js';
import { startOfLocalDate } from '../../../../services/web/src/shared/zoned-time.js';

const DAY_MS = 86_400_000;
/** Zones with daylight saving time in both hemispheres, a quarter-hour offset, and none of either. */
const ZONES = ['Europe/Paris', 'America/Santiago', 'Pacific/Chatham', 'Asia/Kathmandu', 'UTC'];
const formats = new Map(ZONES.map((zone) => [zone, new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })]));

/** The local calendar date of an instant, as [year, month, day]. */
function localDate(ms: number, zone: string): [number, number, number] {
  const parts = Object.fromEntries(formats.get(zone)!.formatToParts(new Date(ms)).map((part) => [part.type, part.value]));
  return [Number(parts.year), Number(parts.month), Number(parts.day)];
}

/** How many of the zone's local buckets hold an instant of first..last: what listeningActivity answers (checked against sampling below). */
const localBuckets = (first: number, last: number, zone: string, bucket: ActivityBucket) => localBucketCount(first, last, bucket, zone);

describe("the number of a listening activity's buckets", () => {
  it('is never fewer than the listener’s zone gives a range of whole local days, across DST changes and odd offsets', () => {
    // What clients send: from a local midnight to another (the web app's presets and custom dates), `to` exclusive.
    const day = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2035, 0, 1) }).map((ms) => new Date(ms).toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 3_000 }), fc.constantFrom(...ZONES), fc.constantFrom(...Object.values(ActivityBucket)), (from, days, zone, bucket) => {
        const first = startOfLocalDate(from, zone).getTime();
        const to = new Date(Date.parse(from) + (days + 1) * DAY_MS).toISOString().slice(0, 10);
        const last = startOfLocalDate(to, zone).getTime() - 1;
        expect(activityBucketCount(first, last, bucket)).toBeGreaterThanOrEqual(localBuckets(first, last, zone, bucket));
      }),
      { numRuns: 1_000 },
    );
  });

  it('is never fewer than the buckets any range of instants touches, where the offset does not change', () => {
    const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2035, 0, 1) });
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 3_000 * DAY_MS }), fc.constantFrom('UTC', 'Asia/Kathmandu'), fc.constantFrom(...Object.values(ActivityBucket)), (first, length, zone, bucket) => {
        expect(activityBucketCount(first, first + length, bucket)).toBeGreaterThanOrEqual(localBuckets(first, first + length, zone, bucket));
      }),
      { numRuns: 1_000 },
    );
  });

  it('counts the local days around a 23-hour and a 25-hour day', () => {
    // Europe/Paris: 29 March 2026 lasts 23 hours, 25 October 2026 lasts 25; each range ends a minute before the next local midnight.
    const spring = [Date.parse('2026-03-28T23:00:00Z'), Date.parse('2026-03-30T21:59:00Z')] as const;
    const autumn = [Date.parse('2026-10-24T22:00:00Z'), Date.parse('2026-10-26T22:59:00Z')] as const;
    expect(localBuckets(...spring, 'Europe/Paris', ActivityBucket.DAY)).toBe(2);
    expect(localBuckets(...autumn, 'Europe/Paris', ActivityBucket.DAY)).toBe(2);
    expect(activityBucketCount(...spring, ActivityBucket.DAY)).toBeGreaterThanOrEqual(2);
    expect(activityBucketCount(...autumn, ActivityBucket.DAY)).toBeGreaterThanOrEqual(2);
  });

  it('is none for an empty range', () => {
    expect(activityBucketCount(Date.UTC(2026, 0, 2), Date.UTC(2026, 0, 1), ActivityBucket.DAY)).toBe(0);
  });
});

/** The buckets an instant falls in, keyed as listeningActivity groups them: the local date, its Monday, its month, its year. */
function bucketKey(ms: number, zone: string, bucket: ActivityBucket): string {
  const [year, month, day] = localDate(ms, zone);
  const date = Date.UTC(year, month - 1, day);
  switch (bucket) {
    case ActivityBucket.DAY:
      return String(date);
    case ActivityBucket.WEEK:
      return String(date - ((new Date(date).getUTCDay() + 6) % 7) * DAY_MS);
    case ActivityBucket.MONTH:
      return `${year}-${month}`;
    case ActivityBucket.YEAR:
      return String(year);
  }
}

/** The distinct buckets of the instants first..last, found by looking at one every quarter hour (and at last). */
function sampledBuckets(first: number, last: number, zone: string, bucket: ActivityBucket): number {
  const keys = new Set<string>();
  for (let ms = first; ms < last; ms += 15 * 60_000) keys.add(bucketKey(ms, zone, bucket));
  keys.add(bucketKey(last, zone, bucket));
  return keys.size;
}

describe("the exact count of a zone's local buckets", () => {
  it('is the number of distinct local days, weeks, months or years a range of instants touches, across DST changes', () => {
    // Instants near the DST changes of both hemispheres, ranges of up to three weeks starting and ending anywhere.
    const instant = fc.constantFrom(Date.UTC(2026, 2, 27), Date.UTC(2026, 3, 3), Date.UTC(2026, 8, 25), Date.UTC(2026, 9, 23), Date.UTC(2026, 11, 30)).chain((base) => fc.integer({ min: base, max: base + 4 * DAY_MS }));
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 21 * DAY_MS }), fc.constantFrom(...ZONES), fc.constantFrom(...Object.values(ActivityBucket)), (first, length, zone, bucket) => {
        expect(localBucketCount(first, first + length, bucket, zone)).toBe(sampledBuckets(first, first + length, zone, bucket));
      }),
      { numRuns: 150 },
    );
  });

  it('counts the day a zone skipped: Pacific/Apia went from 29 to 31 December 2011', () => {
    const first = Date.parse('2011-12-29T12:00:00-10:00');
    const last = Date.parse('2011-12-31T12:00:00+14:00');
    expect(localBucketCount(first, last, ActivityBucket.DAY, 'Pacific/Apia')).toBe(3);
  });

  it('is none for an empty range', () => {
    expect(localBucketCount(Date.UTC(2026, 0, 2), Date.UTC(2026, 0, 1), ActivityBucket.DAY, 'UTC')).toBe(0);
  });
});

describe('the cap on the buckets of one answer', () => {
  const years = (from: number, to: number) => [new Date(Date.UTC(from, 0, 1)), new Date(Date.UTC(to, 0, 1) - 1)] as const;

  it('lets through what the docs promise: five years of days, 38 of weeks, 166 years by month, any range by year', () => {
    expect(() => checkActivityBuckets(...years(2021, 2026), ActivityBucket.DAY, 'Europe/Paris')).not.toThrow();
    expect(() => checkActivityBuckets(...years(1988, 2026), ActivityBucket.WEEK, 'America/Santiago')).not.toThrow();
    expect(() => checkActivityBuckets(...years(1900, 2066), ActivityBucket.MONTH, 'UTC')).not.toThrow();
    expect(() => checkActivityBuckets(...years(1900, 2200), ActivityBucket.YEAR, 'Pacific/Chatham')).not.toThrow();
  });

  it('refuses more, naming the bucket and what to ask instead', () => {
    for (const [range, bucket, instead] of [
      [years(2020, 2026), ActivityBucket.DAY, /DAY buckets: use WEEK, MONTH or YEAR for ranges longer than 5 years$/],
      [years(1980, 2026), ActivityBucket.WEEK, /WEEK buckets: use MONTH or YEAR for ranges longer than 38 years$/],
      [years(1900, 2067), ActivityBucket.MONTH, /MONTH buckets: use YEAR for ranges longer than 166 years$/],
    ] as const) {
      let error: unknown;
      try {
        checkActivityBuckets(...range, bucket, 'UTC');
      } catch (caught) {
        error = caught;
      }
      expect(error, bucket).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('BAD_USER_INPUT');
      expect((error as AppError).details).toEqual({ argument: 'bucket' });
      expect((error as AppError).message).toMatch(new RegExp(`^listeningActivity answers at most ${MAX_ACTIVITY_BUCKETS.toLocaleString('en-US')} buckets, and this range holds [\\d,]+ `));
      expect((error as AppError).message).toMatch(instead);
    }
  });
});
