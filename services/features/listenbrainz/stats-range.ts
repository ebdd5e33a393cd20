/** ListenBrainz's statistics ranges (its `range` parameter), all of which Playlog answers. */
export const STATS_RANGES = ['this_week', 'this_month', 'this_year', 'week', 'month', 'quarter', 'year', 'half_yearly', 'all_time'] as const;
export type StatsRange = (typeof STATS_RANGES)[number];

export const isStatsRange = (value: string): value is StatsRange => (STATS_RANGES as readonly string[]).includes(value);

const utc = (year: number, month: number, day = 1): Date => new Date(Date.UTC(year, month, day));

/**
 * The instants a range covers, in UTC as ListenBrainz reckons them: `this_*` from the start of the current
 * week (Monday), month or year until now; `week`, `month`, `quarter`, `half_yearly` and `year` the last whole
 * one before the current; `all_time` unbounded.
 */
export function statsRangeBounds(range: StatsRange, now: Date): { from?: Date; to?: Date } {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const mondayOffset = (now.getUTCDay() + 6) % 7;
  const thisMonday = utc(year, month, now.getUTCDate() - mondayOffset);
  switch (range) {
    case 'this_week':
      return { from: thisMonday, to: now };
    case 'this_month':
      return { from: utc(year, month), to: now };
    case 'this_year':
      return { from: utc(year, 0), to: now };
    case 'week':
      return { from: new Date(thisMonday.getTime() - 7 * 86_400_000), to: thisMonday };
    case 'month':
      return { from: utc(year, month - 1), to: utc(year, month) };
    case 'quarter': {
      const quarterStart = month - (month % 3);
      return { from: utc(year, quarterStart - 3), to: utc(year, quarterStart) };
    }
    case 'half_yearly': {
      const halfStart = month < 6 ? 0 : 6;
      return { from: utc(year, halfStart - 6), to: utc(year, halfStart) };
    }
    case 'year':
      return { from: utc(year - 1, 0), to: utc(year, 0) };
    case 'all_time':
      return {};
  }
}

/** The buckets ListenBrainz's listening-activity uses for a range: days for weeks and months, months for longer, years for all time. */
export function activityUnitOf(range: StatsRange): 'day' | 'month' | 'year' {
  if (range === 'all_time') return 'year';
  if (range === 'this_week' || range === 'week' || range === 'this_month' || range === 'month') return 'day';
  return 'month';
}
