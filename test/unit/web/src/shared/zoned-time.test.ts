import { describe, expect, it } from 'vitest';
import { localDate, localTime, nextDate, startOfLocalDate } from '../../../../../services/web/src/shared/zoned-time.js';
import { rangeOf } from '../../../../../services/web/src/features/stats/ranges.js';

// The web app turns the dates people pick into instants in their zone: these are the instants the API is asked for.
describe('the web app’s local dates', () => {
  it('start at local midnight, across DST changes and odd offsets', () => {
    const cases: Array<[string, string, string]> = [
      ['2026-03-29', 'Europe/Paris', '2026-03-28T23:00:00.000Z'], // the spring-forward day starts at +01:00
      ['2026-03-30', 'Europe/Paris', '2026-03-29T22:00:00.000Z'], // the day after, at +02:00
      ['2026-10-25', 'Europe/Paris', '2026-10-24T22:00:00.000Z'], // the fall-back day starts at +02:00
      ['2026-12-05', 'Asia/Kolkata', '2026-12-04T18:30:00.000Z'],
      ['2026-12-05', 'Asia/Kathmandu', '2026-12-04T18:15:00.000Z'],
      ['2026-12-05', 'Pacific/Chatham', '2026-12-04T10:15:00.000Z'], // +13:45 in summer
      ['2026-12-05', 'America/Los_Angeles', '2026-12-05T08:00:00.000Z'],
      ['2026-12-05', 'UTC', '2026-12-05T00:00:00.000Z'],
    ];
    for (const [date, zone, instant] of cases) expect(startOfLocalDate(date, zone).toISOString(), `${date} in ${zone}`).toBe(instant);
  });

  it('start at the first moment of a day whose midnight the zone skips', () => {
    // Santiago moved its clocks from 00:00 to 01:00 on 6 September 2026: that day starts at 01:00 local (04:00Z).
    const start = startOfLocalDate('2026-09-06', 'America/Santiago');
    expect(localDate(start, 'America/Santiago')).toBe('2026-09-06');
    expect(localDate(new Date(start.getTime() - 1), 'America/Santiago')).toBe('2026-09-05');
  });

  it('name the local date and time of an instant, and the next date across months and years', () => {
    expect(localDate('2026-12-31T23:30:00Z', 'Europe/Paris')).toBe('2027-01-01');
    expect(localTime('2026-12-31T23:30:00Z', 'Asia/Kolkata')).toMatch(/05:00/);
    expect(nextDate('2026-12-31')).toBe('2027-01-01');
    expect(nextDate('2028-02-28')).toBe('2028-02-29');
  });

  it('give the statistics presets the bounds a listener means in their zone', () => {
    const now = new Date('2026-12-05T06:00:00Z');
    expect(rangeOf('7d', 'Europe/Paris', { from: '', to: '' }, now)).toEqual({ from: '2026-11-28T23:00:00.000Z', to: null });
    expect(rangeOf('year', 'Pacific/Auckland', { from: '', to: '' }, now)).toEqual({ from: '2025-12-31T11:00:00.000Z', to: null });
    expect(rangeOf('12m', 'UTC', { from: '', to: '' }, now)).toEqual({ from: '2025-12-01T00:00:00.000Z', to: null });
    expect(rangeOf('all', 'UTC', { from: '', to: '' }, now)).toEqual({ from: null, to: null });
    // A custom range includes its last day.
    expect(rangeOf('custom', 'Europe/Paris', { from: '2026-11-01', to: '2026-11-30' }, now)).toEqual({ from: '2026-10-31T23:00:00.000Z', to: '2026-11-30T23:00:00.000Z' });
  });
});
