import { describe, expect, it } from 'vitest';
import { checkStatsRange, checkStatsYear } from '../../../../services/api/stats/stats-span.js';

const at = (iso: string) => new Date(iso);

/** What a client gets for a refused argument: BAD_USER_INPUT, naming it (a matcher toThrow compares the error with; its types know only Error). */
const badUserInput = (argument: string, message: string) => expect.objectContaining({ code: 'BAD_USER_INPUT', message, details: { argument } }) as Error;

describe("a statistics query's range", () => {
  it('may be left out, or open at either end', () => {
    expect(checkStatsRange(null)).toEqual({ from: undefined, to: undefined });
    expect(checkStatsRange({ from: at('2026-01-01T00:00:00Z') })).toEqual({ from: at('2026-01-01T00:00:00Z'), to: undefined });
    expect(checkStatsRange({ from: null, to: at('2026-01-01T00:00:00Z') })).toEqual({ from: undefined, to: at('2026-01-01T00:00:00Z') });
  });

  it('reaches from 1900-01-01T00:00:00Z to 2200-01-01T00:00:00Z, both bounds included', () => {
    expect(checkStatsRange({ from: at('1900-01-01T00:00:00Z'), to: at('2200-01-01T00:00:00Z') })).toEqual({ from: at('1900-01-01T00:00:00Z'), to: at('2200-01-01T00:00:00Z') });
  });

  it('refuses a bound outside that span, naming the bound', () => {
    for (const [range, argument] of [
      [{ from: at('1899-12-31T23:59:59.999Z') }, 'range.from'],
      [{ from: at('0001-01-01T00:00:00Z') }, 'range.from'],
      [{ to: at('2200-01-01T00:00:00.001Z') }, 'range.to'],
      [{ from: at('2026-01-01T00:00:00Z'), to: new Date(Number.NaN) }, 'range.to'],
    ] as const) {
      expect(() => checkStatsRange(range)).toThrow(badUserInput(argument, `${argument} must be between 1900-01-01T00:00:00Z and 2200-01-01T00:00:00Z, the span statistics count in`));
    }
  });

  it('refuses an empty or backward range: from is inclusive, to exclusive', () => {
    for (const [from, to] of [
      ['2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z'],
      ['2026-03-02T00:00:00Z', '2026-03-01T00:00:00Z'],
    ]) {
      expect(() => checkStatsRange({ from: at(from!), to: at(to!) })).toThrow(badUserInput('range.from', 'range.from must be before range.to (from is inclusive, to exclusive)'));
    }
    expect(checkStatsRange({ from: at('2026-03-01T00:00:00Z'), to: at('2026-03-01T00:00:00.001Z') }).to).toEqual(at('2026-03-01T00:00:00.001Z'));
  });
});

describe("a year in review's year", () => {
  it('is a whole year from 1900 to 2199', () => {
    expect([1900, 2026, 2199].map(checkStatsYear)).toEqual([1900, 2026, 2199]);
    for (const year of [1899, 2200, 0, -2026, 2026.5, Number.NaN]) {
      expect(() => checkStatsYear(year), String(year)).toThrow(badUserInput('year', 'year must be between 1900 and 2199'));
    }
  });
});
