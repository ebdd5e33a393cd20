import { afterEach, describe, expect, it } from 'vitest';
import { loginSyntheticUser, spotifyClientsFor, startTestEmulator, TEST_EMULATOR_START, type RunningEmulator } from '../support/emulator.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const start = Date.parse(TEST_EMULATOR_START);

describe('synthetic listeners', () => {
  const running: RunningEmulator[] = [];
  const launch = async (options: Parameters<typeof startTestEmulator>[0] = {}) => {
    const emulator = await startTestEmulator(options);
    running.push(emulator);
    return emulator;
  };
  afterEach(async () => {
    await Promise.all(running.splice(0).map((emulator) => emulator.stop()));
  });

  /** A page without its hrefs, which carry the emulator's port. */
  const portless = (value: unknown) => JSON.parse(JSON.stringify(value).replace(/http:\/\/127\.0\.0\.1:\d+/g, 'EMULATOR'));

  it('gives the same users and plays for the same seed and clock', async () => {
    const [a, b] = [await launch({ seed: 'same' }), await launch({ seed: 'same' })];
    expect(a.users()).toEqual(b.users());
    for (const user of a.users()) expect(a.groundTruth(user.id, start - DAY, start)).toEqual(b.groundTruth(user.id, start - DAY, start));
    const [pageA, pageB] = await Promise.all(
      [a, b].map(async (emulator) => spotifyClientsFor(emulator).api.getRecentlyPlayed((await loginSyntheticUser(emulator)).accessToken, { limit: 50 })),
    );
    expect(portless(pageA)).toEqual(portless(pageB));
  });

  it('gives different plays for another seed', async () => {
    const [a, b] = [await launch({ seed: 'one' }), await launch({ seed: 'two' })];
    expect(a.users().map((user) => user.id)).not.toEqual(b.users().map((user) => user.id));
    expect(a.groundTruth(a.users()[0]!.id, start - DAY, start)).not.toEqual(b.groundTruth(b.users()[0]!.id, start - DAY, start));
  });

  it('does not depend on the window asked for, nor on the order of questions', async () => {
    const [a, b] = [await launch(), await launch()];
    const user = a.users()[0]!.id;
    const whole = a.groundTruth(user, start - DAY, start);
    const middle = start - 7.5 * HOUR;
    const parts = [...b.groundTruth(user, middle, start), ...b.groundTruth(user, start - DAY, middle)];
    expect([...parts].sort((x, y) => x.played_at.localeCompare(y.played_at))).toEqual(whole);
  });

  it('keeps the first users identical when more are configured', async () => {
    const [few, many] = [await launch({ users: 2 }), await launch({ users: 6 })];
    expect(many.users().slice(0, 2)).toEqual(few.users());
    expect(new Set(many.users().map((user) => user.id)).size).toBe(6);
    for (const user of many.users()) expect(user.id).toMatch(/^[a-z0-9]+$/);
  });

  it('moves with the clock: advancing it adds plays, and plays already made do not change', async () => {
    const emulator = await launch({ users: 1 });
    const user = emulator.users()[0]!.id;
    const before = emulator.groundTruth(user, start - DAY, start + DAY);
    emulator.clock.advance(3 * HOUR);
    const after = emulator.groundTruth(user, start - DAY, start + DAY);
    expect(after.length).toBeGreaterThan(before.length);
    // What was retrievable changes with time; what was played does not.
    const played = (plays: typeof before) => plays.map(({ retrievable: _changes, ...play }) => play);
    expect(played(after.slice(0, before.length))).toEqual(played(before));
    expect(after.every((play) => Date.parse(play.played_at) <= start + 3 * HOUR)).toBe(true);
  });

  it('produces repeats, album, playlist and artist contexts, plays without context and skips', async () => {
    const emulator = await launch({ users: 1, playsPerHour: [15, 15] });
    const plays = emulator.groundTruth(emulator.users()[0]!.id, start - 2 * DAY, start);
    const contexts = new Set(plays.map((play) => play.context?.type ?? 'none'));
    expect(contexts).toEqual(new Set(['album', 'playlist', 'artist', 'none']));
    const perTrack = new Map<string, number>();
    for (const play of plays) perTrack.set(play.track.id, (perTrack.get(play.track.id) ?? 0) + 1);
    expect(Math.max(...perTrack.values())).toBeGreaterThan(3);
    expect(plays.some((play) => !play.counted)).toBe(true);
    expect(plays.filter((play) => play.counted).length / plays.length).toBeGreaterThan(0.75);
    // About 15 plays an hour (a little less: an hour holds only so many songs).
    expect(plays.length / 48).toBeGreaterThan(9);
    expect(plays.length / 48).toBeLessThan(17);
    for (const play of plays) {
      expect(play.track.id).toMatch(/^[0-9A-Za-z]{22}$/);
      expect(play.track.duration_ms).toBeGreaterThanOrEqual(80_000);
    }
  });

  it('adds users at run time, deterministically from the seed', async () => {
    const [a, b] = [await launch({ users: 1 }), await launch({ users: 1 })];
    const added = a.addUser({ playsPerHour: 30 });
    expect(b.addUser({ playsPerHour: 30 })).toEqual(added);
    expect(a.users()).toHaveLength(2);
    expect(a.groundTruth(added.id, start - HOUR, start).length).toBeGreaterThan(5);
    expect(() => a.addUser({ id: added.id })).toThrow(/already exists/);
    expect(() => a.addUser({ id: 'Not Valid' })).toThrow(/lowercase/);
  });
});
