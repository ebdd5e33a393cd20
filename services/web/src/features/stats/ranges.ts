import type { ActivityBucket, StatsRange } from '../../graphql/generated.js';
import { localDate, nextDate, startOfLocalDate } from '../../shared/zoned-time.js';

export const PRESETS = [
  { id: '7d', label: 'Last 7 days', bucket: 'DAY' },
  { id: '30d', label: 'Last 30 days', bucket: 'DAY' },
  { id: '12m', label: 'Last 12 months', bucket: 'MONTH' },
  { id: 'year', label: 'This year', bucket: 'WEEK' },
  { id: 'all', label: 'All time', bucket: 'MONTH' },
  { id: 'custom', label: 'Custom', bucket: 'DAY' },
] as const satisfies ReadonlyArray<{ id: string; label: string; bucket: ActivityBucket }>;

export type PresetId = (typeof PRESETS)[number]['id'];

const DAY_MS = 86_400_000;

/**
 * The instants a preset covers, in the listener's zone: "last 7 days" is today and the six days before
 * it (from local midnight), "this year" starts on the local 1 January, "all time" is unbounded.
 */
export function rangeOf(preset: PresetId, timeZone: string, custom: { from: string; to: string }, now = new Date()): StatsRange {
  const today = localDate(now, timeZone);
  const daysBack = (days: number) => startOfLocalDate(localDate(new Date(now.getTime() - days * DAY_MS), timeZone), timeZone).toISOString();
  switch (preset) {
    case '7d':
      return { from: daysBack(6), to: null };
    case '30d':
      return { from: daysBack(29), to: null };
    case '12m':
      return { from: startOfLocalDate(`${Number(today.slice(0, 4)) - 1}${today.slice(4, 8)}01`, timeZone).toISOString(), to: null };
    case 'year':
      return { from: startOfLocalDate(`${today.slice(0, 4)}-01-01`, timeZone).toISOString(), to: null };
    case 'all':
      return { from: null, to: null };
    case 'custom':
      return {
        from: custom.from ? startOfLocalDate(custom.from, timeZone).toISOString() : null,
        to: custom.to ? startOfLocalDate(nextDate(custom.to), timeZone).toISOString() : null,
      };
  }
}
