import { ActivityBucket } from './stats.types.js';

const DAY_MS = 86_400_000;
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The local calendar date of an instant in a zone, as the day number of that date in UTC (days since 1970-01-01), its year and month. */
function localDate(ms: number, zone: string): { day: number; year: number; month: number } {
  let format = dateFormats.get(zone);
  if (!format) dateFormats.set(zone, (format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric' })));
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((part) => [part.type, part.value]));
  const year = Number(parts.year);
  const month = Number(parts.month);
  return { day: Date.UTC(year, month - 1, Number(parts.day)) / DAY_MS, year, month };
}

/** The Monday-based week of a day number (1970-01-01 was a Thursday), as Postgres' date_trunc('week') groups days. */
const weekOf = (day: number) => Math.floor((day + 3) / 7);

/**
 * How many buckets listeningActivity answers for the instants first..last (ms) in a zone: every local day,
 * week, month or year from the one holding `first` to the one holding `last`, empty ones included — counted
 * from the two local dates, so days of 23 or 25 hours (and a day a zone skipped) count as the calendar does.
 */
export function localBucketCount(first: number, last: number, bucket: ActivityBucket, zone: string): number {
  if (last < first) return 0;
  const start = localDate(first, zone);
  const end = localDate(last, zone);
  switch (bucket) {
    case ActivityBucket.DAY:
      return end.day - start.day + 1;
    case ActivityBucket.WEEK:
      return weekOf(end.day) - weekOf(start.day) + 1;
    case ActivityBucket.MONTH:
      return end.year * 12 + end.month - (start.year * 12 + start.month) + 1;
    case ActivityBucket.YEAR:
      return end.year - start.year + 1;
  }
}
