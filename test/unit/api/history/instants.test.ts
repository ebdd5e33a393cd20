import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../services/api/app-error.js';
import { checkInstant, checkRange } from '../../../../services/api/history/instants.js';

describe("a history filter's instants", () => {
  it('reach from year 1 to year 9999', () => {
    for (const iso of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) expect(checkInstant(new Date(iso), 'from')).toEqual(new Date(iso));
    expect(checkInstant(null, 'from')).toBeUndefined();
  });

  it('refuse an instant outside them, or none at all, naming the argument', () => {
    for (const value of [new Date('0000-12-31T23:59:59.999Z'), new Date(Date.UTC(10_000, 0, 1)), new Date(Number.NaN)]) {
      expect(() => checkInstant(value, 'to')).toThrow(AppError);
      expect(() => checkInstant(value, 'to')).toThrow('to must be a date-time between years 1 and 9999');
    }
  });

  it('make a range only when from comes before to', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    expect(checkRange({ from, to: new Date(from.getTime() + 1) })).toEqual({ from, to: new Date(from.getTime() + 1) });
    expect(() => checkRange({ from, to: from })).toThrow('from must be before to (from is inclusive, to exclusive)');
    expect(() => checkRange({ from, to: new Date(0) }, { from: 'after', to: 'before' })).toThrow('after must be before before');
  });
});
