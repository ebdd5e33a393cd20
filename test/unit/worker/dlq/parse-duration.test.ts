import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../../services/worker/dlq/parse-duration.js';

/** `npm run dlq -- purge --older-than <d>`: how long ago a failed job must have failed to be purged. */
describe('a duration on the dead-letter command line', () => {
  it('is a whole number and one unit, from milliseconds to weeks', () => {
    expect(['500ms', '90s', '30m', '12h', '7d', '2w'].map(parseDuration)).toEqual([500, 90_000, 1_800_000, 43_200_000, 604_800_000, 1_209_600_000]);
    expect(parseDuration('0s')).toBe(0);
    expect(parseDuration(' 7d\n')).toBe(604_800_000);
  });

  it('is refused (null) in any other form, rather than guessed at', () => {
    for (const text of ['', '7', 'd', '7 d', '7D', '1.5h', '-1d', '+1d', '1h30m', '7days', '1y', 'ms', '2 weeks', 'soon']) {
      expect(parseDuration(text), JSON.stringify(text)).toBeNull();
    }
  });
});
