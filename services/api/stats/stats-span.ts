import { badUserInput } from '../app-error.js';
import { checkRange } from '../history/instants.js';
import type { StatsRange } from './stats.types.js';

/**
 * The span statistics count in: instants from 1900-01-01T00:00:00Z to 2200-01-01T00:00:00Z, years 1900
 * to 2199. Every play Spotify could report lies inside it, and so does any bound a person writes by hand
 * for "since forever"; every local day, month and year of any zone around it is an ordinary AD date that
 * Postgres' zone arithmetic (`at time zone`, date_trunc, generate_series) and JavaScript both represent,
 * where a range from year 1 (local years before it are BC) failed with INTERNAL_SERVER_ERROR. History
 * filters, which do no zone arithmetic, keep years 1 to 9999 (history/instants.ts).
 */
export const STATS_EARLIEST = Date.parse('1900-01-01T00:00:00.000Z');
export const STATS_LATEST = Date.parse('2200-01-01T00:00:00.000Z');
export const FIRST_STATS_YEAR = 1900;
export const LAST_STATS_YEAR = 2199;

/** A statistics query's range, checked: both bounds inside the span, `from` before `to`; else BAD_USER_INPUT naming the bound. */
export function checkStatsRange(range: StatsRange | null | undefined): { from?: Date; to?: Date } {
  for (const [argument, value] of [
    ['range.from', range?.from],
    ['range.to', range?.to],
  ] as const) {
    const ms = value?.getTime();
    if (ms !== undefined && !(ms >= STATS_EARLIEST && ms <= STATS_LATEST)) {
      throw badUserInput(`${argument} must be between 1900-01-01T00:00:00Z and 2200-01-01T00:00:00Z, the span statistics count in`, argument);
    }
  }
  return checkRange(range ?? {}, { from: 'range.from', to: 'range.to' });
}

/** A local calendar year statistics can count, else BAD_USER_INPUT naming `year`. */
export function checkStatsYear(year: number): number {
  if (!Number.isInteger(year) || year < FIRST_STATS_YEAR || year > LAST_STATS_YEAR) throw badUserInput(`year must be between ${FIRST_STATS_YEAR} and ${LAST_STATS_YEAR}`, 'year');
  return year;
}
