import { badUserInput } from '../app-error.js';
import { pageSizeForCost } from '../relay/connection-args.js';
import { localBucketCount } from './local-buckets.js';
import { STATS_EARLIEST, STATS_LATEST } from './stats-span.js';
import { ActivityBucket } from './stats.types.js';

/**
 * What each statistics field costs in the operation-cost limit (GRAPHQL_MAX_COST; graphql/operation-limits.ts),
 * estimated from its arguments before anything runs, by the work docs/stats.md says it does:
 *
 * - each statement it runs costs STATEMENT_COST, plus a price per month (30 days) of the range it reads:
 *   1 where it reads the rollups of the listener's own zone (a row per local day, or per track), 4 where
 *   it reads quarter hours or recounts plays (up to 96 quarters a day: a `timeZone` argument, a bounded
 *   range's distinct counts and rankings, a range's clock). A range open at its start is the whole
 *   history, priced as 20 years; a bounded one as its length, at most that;
 * - a `timeZone` argument is priced as another zone than the listener's: it is one, unless it names their
 *   own, which leaving it out does for free;
 * - then what it answers, each item times what the operation selects of it: the 168 cells of a clock, the
 *   buckets of an activity (at most MAX_ACTIVITY_BUCKETS), a ranking's page (`first`);
 * - yearInReview runs eight statements over its year.
 *
 * The units are those of the rest of the schema (a field costs 1, a full history page about 6,800), set so
 * that the web app's dearest screen — a range's summary, clock and 2,000 daily buckets, about 9,000 —
 * stays under the default limit of 10,000, while three long daily activities do not. How many statistics
 * fields one operation holds at all is GRAPHQL_MAX_EXPENSIVE_FIELDS' (each is marked EXPENSIVE_FIELD).
 */
const STATEMENT_COST = 50;
const PER_MONTH = { rollup: 1, recount: 4 } as const;
const WHOLE_HISTORY_MONTHS = 240;
const CLOCK_CELLS = 168;
const DAY_MS = 86_400_000;
const MONTH_MS = 30 * DAY_MS;

/**
 * Most buckets one listeningActivity answers (about 120 kB of JSON): 5 years of days, 38 of weeks, all of
 * any history by month or year. A range that would hold more is BAD_USER_INPUT.
 */
export const MAX_ACTIVITY_BUCKETS = 2_000;

/** The shortest length of each bucket in days (a month of 28), so that a range's buckets are never undercounted. */
const DAYS_PER_BUCKET: Record<ActivityBucket, number> = { [ActivityBucket.DAY]: 1, [ActivityBucket.WEEK]: 7, [ActivityBucket.MONTH]: 28, [ActivityBucket.YEAR]: 365 };
const AVERAGE_DAYS: Record<ActivityBucket, number> = { [ActivityBucket.DAY]: 1, [ActivityBucket.WEEK]: 7, [ActivityBucket.MONTH]: 30.44, [ActivityBucket.YEAR]: 365.25 };
const LONGER_BUCKETS: Record<ActivityBucket, string> = { [ActivityBucket.DAY]: 'WEEK, MONTH or YEAR', [ActivityBucket.WEEK]: 'MONTH or YEAR', [ActivityBucket.MONTH]: 'YEAR', [ActivityBucket.YEAR]: 'a shorter range' };

/**
 * About how many buckets hold the instants first..last (ms), for the cost estimate, made before the listener's
 * zone is known: whole bucket lengths, and a partial one at each end. The cap itself counts the zone's local
 * buckets exactly (checkActivityBuckets).
 */
export function activityBucketCount(first: number, last: number, bucket: ActivityBucket): number {
  if (last < first) return 0;
  return Math.floor((last - first) / DAY_MS / DAYS_PER_BUCKET[bucket]) + 2;
}

/**
 * BAD_USER_INPUT when first..last holds more of the zone's local buckets than one answer may: names `bucket`,
 * the maximum and what to ask instead.
 */
export function checkActivityBuckets(first: Date, last: Date, bucket: ActivityBucket, zone: string): void {
  const buckets = localBucketCount(first.getTime(), last.getTime(), bucket, zone);
  if (buckets <= MAX_ACTIVITY_BUCKETS) return;
  const years = Math.floor((MAX_ACTIVITY_BUCKETS * AVERAGE_DAYS[bucket]) / 365.25);
  const name = bucket.toUpperCase();
  throw badUserInput(
    `listeningActivity answers at most ${MAX_ACTIVITY_BUCKETS.toLocaleString('en-US')} buckets, and this range holds ${buckets.toLocaleString('en-US')} ${name} buckets: use ${LONGER_BUCKETS[bucket]} for ranges longer than ${years} years`,
    'bucket',
  );
}

interface CostArgs {
  args: Record<string, unknown>;
  childComplexity: number;
}

/** A range's bounds as the estimate reads them (ms), inside the span statistics count in; a bad one is refused when the field runs. */
function pricedRange(value: unknown): { from?: number; to?: number } {
  const bound = (key: 'from' | 'to') => {
    const instant = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    const ms = instant instanceof Date ? instant.getTime() : NaN;
    return Number.isNaN(ms) ? undefined : Math.min(STATS_LATEST, Math.max(STATS_EARLIEST, ms));
  };
  const from = bound('from');
  const to = bound('to');
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}

const isBounded = (range: { from?: number; to?: number }) => range.from !== undefined || range.to !== undefined;
const zoneGiven = (args: Record<string, unknown>) => args.timeZone !== null && args.timeZone !== undefined;

/** The months (30 days) a range covers, 1 to 240: open at its start, the whole history (20 years); open at its end, up to now. */
function rangeMonths(range: { from?: number; to?: number }): number {
  if (range.from === undefined) return WHOLE_HISTORY_MONTHS;
  const months = Math.ceil(((range.to ?? Date.now()) - range.from) / MONTH_MS);
  return Math.min(WHOLE_HISTORY_MONTHS, Math.max(1, months));
}

const statement = (months: number, read: keyof typeof PER_MONTH) => STATEMENT_COST + months * PER_MONTH[read];
const answer = (items: number, childComplexity: number) => items * Math.max(1, childComplexity);

/** listeningSummary: a bounded range is recounted from its plays; the whole history read from the rollups (the quarter hours in another zone). */
export function summaryCost({ args, childComplexity }: CostArgs): number {
  const range = pricedRange(args.range);
  return statement(rangeMonths(range), isBounded(range) || zoneGiven(args) ? 'recount' : 'rollup') + childComplexity;
}

/** listeningClock: the whole history in the listener's own zone is 168 rows; anything else sums the range's quarter hours. */
export function clockCost({ args, childComplexity }: CostArgs): number {
  const range = pricedRange(args.range);
  const read = isBounded(range) || zoneGiven(args) ? statement(rangeMonths(range), 'recount') : STATEMENT_COST;
  return read + answer(CLOCK_CELLS, childComplexity);
}

/**
 * listeningActivity: local days of the listener's own zone (quarter hours at the range's two ends), else
 * quarter hours; then its buckets. An open start is priced from the earliest instant a range may name
 * (the first play is not known yet), at most MAX_ACTIVITY_BUCKETS.
 */
export function activityCost({ args, childComplexity }: CostArgs): number {
  const range = pricedRange(args.range);
  const bucket = Object.values(ActivityBucket).includes(args.bucket as ActivityBucket) ? (args.bucket as ActivityBucket) : ActivityBucket.DAY;
  const buckets = Math.min(MAX_ACTIVITY_BUCKETS, activityBucketCount(range.from ?? STATS_EARLIEST, (range.to ?? Date.now()) - 1, bucket));
  return statement(rangeMonths(range), zoneGiven(args) ? 'recount' : 'rollup') + answer(Math.max(1, buckets), childComplexity);
}

/** topTracks, topAlbums, topArtists: a bounded range recounted from its plays, the whole history from a row per track; then the page. */
export const rankingCost =
  (limits: { defaultSize: number; maxSize: number }) =>
  ({ args, childComplexity }: CostArgs): number => {
    const range = pricedRange(args.range);
    return statement(rangeMonths(range), isBounded(range) ? 'recount' : 'rollup') + pageSizeForCost(args, limits) * Math.max(1, childComplexity);
  };

/**
 * yearInReview: its summary, three rankings, new artists and clock recounted over the year's plays and
 * quarter hours; its days and months from the local days (the quarter hours in another zone). Its answer
 * is bounded (five of each, twelve months): what it selects counts once.
 */
export function yearInReviewCost({ args, childComplexity }: CostArgs): number {
  return 6 * statement(12, 'recount') + 2 * statement(12, zoneGiven(args) ? 'recount' : 'rollup') + childComplexity;
}
