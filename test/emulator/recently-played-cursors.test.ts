import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpotifyApiClient } from '../../services/features/spotify/spotify-api.client.js';
import type { SpotifyRecentlyPlayedPage } from '../../services/features/spotify/spotify-schemas.js';
import { loginSyntheticUser, spotifyClientsFor, startTestEmulator, type RunningEmulator } from '../support/emulator.js';

const HOUR = 3_600_000;
const ms = (iso: string) => Date.parse(iso);

describe('recently-played cursors', () => {
  let emulator: RunningEmulator;
  let api: SpotifyApiClient;
  let token: string;
  let userId: string;

  beforeAll(async () => {
    // Tokens outlive the hours these tests jump over.
    emulator = await startTestEmulator({ users: 1, playsPerHour: [24, 24], accessTokenTtlSeconds: 86_400 });
    api = spotifyClientsFor(emulator).api;
    const login = await loginSyntheticUser(emulator);
    token = login.accessToken;
    userId = login.userId;
  });
  afterAll(() => emulator?.stop());

  async function walk(first: SpotifyRecentlyPlayedPage): Promise<SpotifyRecentlyPlayedPage[]> {
    const pages = [first];
    while (pages[pages.length - 1]!.next && pages.length < 20) pages.push(await api.getRecentlyPlayedNext(token, pages[pages.length - 1]!.next!));
    return pages;
  }

  it('walks back with before through exactly the 50 most recent plays, newest first', async () => {
    const pages = await walk(await api.getRecentlyPlayed(token, { limit: 7 }));
    const playedAt = pages.flatMap((page) => page.items.map((item) => item.played_at));
    expect(pages).toHaveLength(8);
    expect(playedAt).toHaveLength(50);
    expect([...playedAt].sort().reverse()).toEqual(playedAt);
    expect(new Set(playedAt).size).toBe(50);
    expect(pages[pages.length - 1]!.next).toBeNull();
    expect(playedAt).toEqual(emulator.groundTruth(userId, 'retrievable').map((play) => play.played_at).reverse());
    for (const page of pages.slice(1)) expect(new URL(page.href!).searchParams.get('before')).toMatch(/^\d+$/);
  });

  it('returns nothing before the oldest retrievable play, however far back one asks', async () => {
    const oldest = emulator.groundTruth(userId, 'retrievable')[0]!;
    const page = await api.getRecentlyPlayed(token, { before: ms(oldest.played_at) });
    expect(page.items).toEqual([]);
    expect(page.cursors).toBeNull();
    expect(page.next).toBeNull();
  });

  it('uses the newest and oldest played_at of the page as cursors', async () => {
    const page = await api.getRecentlyPlayed(token, { limit: 5 });
    expect(page.cursors).toEqual({ after: String(ms(page.items[0]!.played_at)), before: String(ms(page.items[4]!.played_at)) });
    expect(page.limit).toBe(5);
    const before = await api.getRecentlyPlayed(token, { limit: 5, before: Number(page.cursors!.before) });
    expect(ms(before.items[0]!.played_at)).toBeLessThan(ms(page.items[4]!.played_at));
  });

  it('returns only newer plays after a cursor, the oldest of them first page, walking towards now', async () => {
    const start = await api.getRecentlyPlayed(token, { limit: 50 });
    const cursor = Number(start.cursors!.after);
    emulator.clock.advance(HOUR);
    try {
      const pages = await walk(await api.getRecentlyPlayed(token, { after: cursor, limit: 4 }));
      const playedAt = pages.flatMap((page) => page.items.map((item) => ms(item.played_at)));
      expect(playedAt.length).toBeGreaterThan(4);
      expect(playedAt.every((at) => at > cursor)).toBe(true);
      // Each page is newest first; the pages go from oldest to newest.
      for (const page of pages) expect(page.items.map((item) => item.played_at)).toEqual(page.items.map((item) => item.played_at).sort().reverse());
      expect(ms(pages[0]!.items[0]!.played_at)).toBeLessThan(ms(pages[1]!.items[pages[1]!.items.length - 1]!.played_at));
      const expected = emulator
        .groundTruth(userId, cursor + 1, emulator.clock.now() + 1)
        .filter((play) => play.counted)
        .map((play) => ms(play.played_at));
      expect([...playedAt].sort((a, b) => a - b)).toEqual(expected);
      expect(await api.getRecentlyPlayed(token, { after: Math.max(...playedAt) })).toMatchObject({ items: [], next: null, cursors: null });
    } finally {
      emulator.clock.set(Date.parse('2026-11-23T12:00:00.000Z'));
    }
  });

  it('loses plays a poller did not fetch before 50 newer ones arrived', async () => {
    const start = await api.getRecentlyPlayed(token, { limit: 1 });
    const cursor = Number(start.cursors!.after);
    emulator.clock.advance(6 * HOUR);
    try {
      const missed = emulator.groundTruth(userId, cursor + 1, emulator.clock.now() + 1).filter((play) => play.counted);
      expect(missed.length).toBeGreaterThan(50);
      const pages = await walk(await api.getRecentlyPlayed(token, { after: cursor, limit: 50 }));
      const seen = pages.flatMap((page) => page.items.map((item) => item.played_at));
      expect(seen).toHaveLength(50);
      expect(seen).toEqual(missed.slice(-50).map((play) => play.played_at).reverse());
    } finally {
      emulator.clock.set(Date.parse('2026-11-23T12:00:00.000Z'));
    }
  });

  it('never shows plays shorter than 30 seconds, nor plays that end after now', async () => {
    const truth = emulator.groundTruth(userId, emulator.clock.now() - 6 * HOUR, emulator.clock.now() + 1);
    const skips = truth.filter((play) => !play.counted);
    expect(skips.length).toBeGreaterThan(0);
    expect(skips.every((play) => play.ms_played < 30_000)).toBe(true);
    const page = await api.getRecentlyPlayed(token, { limit: 50 });
    const shown = new Set(page.items.map((item) => item.played_at));
    for (const skip of skips) expect(shown.has(skip.played_at)).toBe(false);
    expect(page.items.every((item) => ms(item.played_at) <= emulator.clock.now())).toBe(true);

    const upcoming = emulator.listeners.playsBetween(userId, emulator.clock.now(), emulator.clock.now() + 2 * HOUR);
    expect(upcoming).toEqual([]);
  });

  it('answers 400 with Spotify’s error body when after and before come together, or limit is out of range', async () => {
    const get = (query: string) => fetch(`${emulator.apiUrl}/me/player/recently-played?${query}`, { headers: { authorization: `Bearer ${token}` } });
    for (const query of ['after=1&before=2', 'limit=0', 'limit=51', 'limit=x', 'after=soon']) {
      const response = await get(query);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toEqual({ error: { status: 400, message: expect.any(String) } });
    }
    expect(((await (await get('')).json()) as { items: unknown[] }).items).toHaveLength(20);
  });

  it('writes played_at as ISO-8601 with milliseconds and Z', async () => {
    const page = await api.getRecentlyPlayed(token);
    for (const item of page.items) expect(item.played_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});
