import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeHistoryCursor, encodeHistoryCursor } from '../../../../services/api/history/history-cursor.js';
import { AppError } from '../../../../services/api/app-error.js';

/** Instants Postgres prints as cursors: years 1..9999, microseconds. */
const position = fc.record({
  playedAt: fc
    .tuple(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 999 }))
    .map(([date, micros]) => `${date.toISOString().slice(0, -1)}${String(micros).padStart(3, '0')}Z`)
    .filter((text) => /^\d{4}-/.test(text)),
  trackId: fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz:-_.'), minLength: 1, maxLength: 64 }),
});

describe('history cursor codec', () => {
  it('decodes every cursor it encodes to the same position', () => {
    fc.assert(
      fc.property(position, (p) => {
        expect(decodeHistoryCursor(encodeHistoryCursor(p))).toEqual(p);
      }),
    );
  });

  it('answers any other string with BAD_USER_INPUT, or with the one position it canonically encodes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 600 }), fc.base64String({ maxLength: 200 }), fc.json().map((j) => Buffer.from(j).toString('base64url'))), (text) => {
        try {
          const decoded = decodeHistoryCursor(text);
          expect(encodeHistoryCursor(decoded)).toBe(text);
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).code).toBe('BAD_USER_INPUT');
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses impossible dates and non-canonical encodings', () => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const playedAt of ['2026-02-29T00:00:00.000000Z', '2026-04-31T00:00:00.000000Z', '2026-01-01T24:00:00.000000Z', '2026-01-01T00:00:60.000000Z']) {
      expect(() => decodeHistoryCursor(encode(['p1', playedAt, 't1']))).toThrow(AppError);
    }
    const valid = encodeHistoryCursor({ playedAt: '2024-02-29T00:00:00.000000Z', trackId: 't1' });
    expect(decodeHistoryCursor(valid).playedAt).toBe('2024-02-29T00:00:00.000000Z');
    expect(() => decodeHistoryCursor(Buffer.from(JSON.stringify(['p1', '2024-02-29T00:00:00.000000Z', 't1'], null, 1)).toString('base64url'))).toThrow(AppError);
  });
});
