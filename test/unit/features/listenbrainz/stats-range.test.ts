import { describe, expect, it } from 'vitest';
import { activityUnitOf, STATS_RANGES, statsRangeBounds } from '../../../../services/features/listenbrainz/stats-range.js';

const at = (iso: string) => new Date(iso);
const bounds = (range: Parameters<typeof statsRangeBounds>[0], now: string) => {
  const { from, to } = statsRangeBounds(range, at(now));
  return { from: from?.toISOString(), to: to?.toISOString() };
};

describe('ListenBrainz statistics ranges', () => {
  // A Wednesday in February: weeks start on Monday, the last whole ones are before the current.
  const now = '2026-02-18T15:30:00.000Z';
  it.each([
    ['this_week', '2026-02-16T00:00:00.000Z', now],
    ['this_month', '2026-02-01T00:00:00.000Z', now],
    ['this_year', '2026-01-01T00:00:00.000Z', now],
    ['week', '2026-02-09T00:00:00.000Z', '2026-02-16T00:00:00.000Z'],
    ['month', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
    ['quarter', '2025-10-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    ['half_yearly', '2025-07-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
    ['year', '2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
  ] as const)('%s on %s', (range, from, to) => {
    expect(bounds(range, now)).toEqual({ from, to });
  });

  it('all_time is unbounded', () => {
    expect(bounds('all_time', now)).toEqual({ from: undefined, to: undefined });
  });

  it('on a Sunday, this week began six days before; on a Monday, that day', () => {
    expect(bounds('this_week', '2026-02-22T23:59:59.000Z').from).toBe('2026-02-16T00:00:00.000Z');
    expect(bounds('this_week', '2026-02-23T00:00:00.000Z').from).toBe('2026-02-23T00:00:00.000Z');
  });

  it('in the second half of the year, the last half-year and quarter are this year’s', () => {
    expect(bounds('half_yearly', '2026-08-01T00:00:00.000Z')).toEqual({ from: '2026-01-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' });
    expect(bounds('quarter', '2026-08-01T00:00:00.000Z')).toEqual({ from: '2026-04-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' });
  });

  it('buckets activity by day for weeks and months, by month for longer ranges, by year for all time', () => {
    expect(Object.fromEntries(STATS_RANGES.map((range) => [range, activityUnitOf(range)]))).toEqual({
      this_week: 'day',
      this_month: 'day',
      this_year: 'month',
      week: 'day',
      month: 'day',
      quarter: 'month',
      year: 'month',
      half_yearly: 'month',
      all_time: 'year',
    });
  });
});
