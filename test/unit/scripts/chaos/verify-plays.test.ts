import { describe, expect, it } from 'vitest';
import { classifyPlays, compare, type TruthPlay } from '../../../../scripts/chaos/verify-plays.js';

/** The chaos run's definition of "expected" (docs/reliability.md), on small hand-made histories. */
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 23, 12);
const play = (minute: number, track: string, counted = true): TruthPlay => ({ played_at: new Date(T0 + minute * MINUTE).toISOString(), counted, track: { id: track } });
const key = (minute: number, track: string) => `${T0 + minute * MINUTE}|${track}`;
/** One counted play a minute, minutes [from, to). */
const steady = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => play(from + i, `t${from + i}`));

describe('what the chaos run expects to be stored', () => {
  it('expects the 50 most recent plays at the first poll, and calls older ones history from before the login', () => {
    const result = classifyPlays(steady(0, 80), [T0 + 80 * MINUTE]);
    expect(result.expected.size).toBe(50);
    expect(result.expected.has(key(30, 't30'))).toBe(true);
    expect(result.expected.has(key(29, 't29'))).toBe(false);
    expect(result.beforeLogin).toBe(30);
    expect(result.lostToWindow).toBe(0);
  });

  it('counts plays that left the window during an outage as lost to the window, not missing', () => {
    // Polls at minute 10 (which sees the play that ended then), then nothing until minute 100: plays
    // 11..49 had 50 or more newer ones by then.
    const result = classifyPlays(steady(0, 100), [T0 + 10 * MINUTE, T0 + 100 * MINUTE]);
    expect(result.lostToWindow).toBe(39);
    expect(result.expected.has(key(10, 't10'))).toBe(true);
    expect(result.expected.has(key(49, 't49'))).toBe(false);
    expect(result.expected.has(key(50, 't50'))).toBe(true);
    expect(result.expected.has(key(9, 't9'))).toBe(true);
  });

  it('ignores skips and plays after the last poll, and counts only counted plays towards the 50', () => {
    const skips = Array.from({ length: 60 }, (_, i) => play(20 + i / 100, `skip${i}`, false));
    const result = classifyPlays([...steady(0, 20), ...skips, play(30, 'late')], [T0 + 25 * MINUTE]);
    expect(result.expected.size).toBe(20);
    expect(result.expected.has(key(30, 'late'))).toBe(false);
  });

  it('expects a play made offline from the first poll after Spotify was told of it, at its old played_at', () => {
    // Played at minute 5, delivered at minute 40: the poll at minute 10 could not see it, the one at minute 45 can.
    const offline: TruthPlay = { ...play(5, 'offline'), delivered_at: new Date(T0 + 40 * MINUTE).toISOString() };
    const result = classifyPlays([...steady(0, 5), offline, ...steady(6, 20)], [T0 + 10 * MINUTE, T0 + 45 * MINUTE]);
    expect(result.expected.has(key(5, 'offline'))).toBe(true);
    expect(result.expected.size).toBe(20);
    // Delivered after 50 newer plays: lost to the window, not missing (as plays 11..19, 50 newer by minute 85).
    const late: TruthPlay = { ...play(5, 'late'), delivered_at: new Date(T0 + 80 * MINUTE).toISOString() };
    const lost = classifyPlays([...steady(0, 5), late, ...steady(6, 70)], [T0 + 10 * MINUTE, T0 + 85 * MINUTE]);
    expect(lost.expected.has(key(5, 'late'))).toBe(false);
    expect(lost.lostToWindow).toBe(1 + 9);
  });

  it('reports missing, duplicated and foreign plays', () => {
    const classified = classifyPlays(steady(0, 3), [T0 + 3 * MINUTE]);
    const truthKeys = new Set([key(0, 't0'), key(1, 't1'), key(2, 't2')]);
    const stored = [key(0, 't0'), key(0, 'other'), key(1, 't1'), key(7, 'ghost')];
    expect(compare('u1', classified, stored, truthKeys)).toMatchObject({
      expected: 3,
      stored: 4,
      missing: [key(2, 't2')],
      duplicated: 1,
      unexpected: [key(0, 'other'), key(7, 'ghost')],
    });
  });
});
