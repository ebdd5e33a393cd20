import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_TOKEN_LENGTH, decodeToken, encodeToken, isKeyInstant, isUuid } from '../../../../services/api/relay/opaque-token.js';

/** What a key part may hold: printable ASCII without spaces (Spotify ids, uuids, instants). */
const keyPart = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), minLength: 1, maxLength: 40 });
const asToken = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('opaque tokens (the inside of every cursor and id)', () => {
  it('decode to the parts they were made of', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 4 }), fc.array(keyPart, { minLength: 1, maxLength: 4 }), (tag, key) => {
        const parts = [tag, ...key];
        expect(decodeToken(encodeToken(parts))).toEqual(parts);
      }),
    );
  });

  it('are URL-safe: a client can put one in a query string unescaped', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3 }), fc.array(keyPart, { minLength: 1, maxLength: 3 }), (tag, key) => {
        expect(encodeToken([tag, ...key])).toMatch(/^[A-Za-z0-9_-]+$/);
      }),
    );
  });

  it('refuse what a client made up or mangled', () => {
    const made = encodeToken(['p1', '2026-01-02T03:04:05.000000Z', 'track']);
    const refused = [
      '',
      'not a token',
      `${made}=`, // padded
      `${made.slice(0, -2)}`, // cut short
      `${made}${made}`, // two tokens glued together
      made.replace(/^./, (first) => (first === 'W' ? 'X' : 'W')), // one character changed
      asToken(['p1']), // a tag without a key
      asToken('p1'), // not an array
      asToken({ 0: 'p1', 1: 'x' }),
      asToken(['p1', 42]), // a number where a string goes
      asToken(['p1', 'has space']),
      asToken(['p1', '']),
      asToken(['p1', 'é']), // not printable ASCII
      asToken(['p1', 'x'.repeat(201)]),
      Buffer.from('["p1", "x"]').toString('base64url'), // the same parts, not in the canonical form
      Buffer.from('["p1","x"]').toString('base64'), // base64 with padding rather than base64url
    ];
    for (const token of refused) expect(decodeToken(token), token).toBeNull();
  });

  it('refuse anything longer than a real token can be, before reading it', () => {
    const longest = encodeToken(['x', 'y'.repeat(200), 'z'.repeat(150)]);
    expect(longest.length).toBeLessThanOrEqual(MAX_TOKEN_LENGTH);
    expect(decodeToken(longest)).not.toBeNull();
    expect(decodeToken(encodeToken(['x', 'y'.repeat(200), 'z'.repeat(200), 'w'.repeat(200)]))).toBeNull();
    expect(decodeToken('A'.repeat(MAX_TOKEN_LENGTH + 1))).toBeNull();
  });
});

describe('instants inside keys', () => {
  it('are UTC with exactly six decimals, as Postgres prints a key', () => {
    expect(isKeyInstant('2026-01-02T03:04:05.123456Z')).toBe(true);
    for (const other of ['2026-01-02T03:04:05.123Z', '2026-01-02T03:04:05Z', '2026-01-02T03:04:05.123456+00:00', '2026-01-02 03:04:05.123456Z', '2026-01-02T03:04:05.1234567Z']) {
      expect(isKeyInstant(other), other).toBe(false);
    }
  });

  it('are real dates between years 1 and 9999: no 30 February, 24 o’clock or year 0', () => {
    expect(isKeyInstant('2024-02-29T23:59:59.999999Z')).toBe(true);
    expect(isKeyInstant('0001-01-01T00:00:00.000000Z')).toBe(true);
    expect(isKeyInstant('9999-12-31T23:59:59.999999Z')).toBe(true);
    for (const impossible of ['2026-02-29T00:00:00.000000Z', '2026-02-30T00:00:00.000000Z', '2026-13-01T00:00:00.000000Z', '2026-01-01T24:00:00.000000Z', '2026-01-01T00:60:00.000000Z', '0000-01-01T00:00:00.000000Z']) {
      expect(isKeyInstant(impossible), impossible).toBe(false);
    }
  });
});

describe('uuids inside keys', () => {
  it('are lower-case and hyphenated, as Postgres prints them', () => {
    expect(isUuid('1b4e28ba-2fa1-11d2-883f-0016d3cca427')).toBe(true);
    for (const other of ['1B4E28BA-2FA1-11D2-883F-0016D3CCA427', '1b4e28ba2fa111d2883f0016d3cca427', '{1b4e28ba-2fa1-11d2-883f-0016d3cca427}', '1b4e28ba-2fa1-11d2-883f-0016d3cca42']) {
      expect(isUuid(other), other).toBe(false);
    }
  });
});
