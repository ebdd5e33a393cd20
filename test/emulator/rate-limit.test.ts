import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SpotifyApiClient } from '../../services/features/spotify/spotify-api.client.js';
import { loginSyntheticUser, spotifyClientsFor, startTestEmulator, TEST_EMULATOR_START, type RunningEmulator } from '../support/emulator.js';

describe('rate limit and daily quota', () => {
  let emulator: RunningEmulator;
  let api: SpotifyApiClient;
  let token: string;
  const recentlyPlayed = () => fetch(`${emulator.apiUrl}/me/player/recently-played?limit=1`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    emulator = await startTestEmulator({ accessTokenTtlSeconds: 7 * 86_400 });
    api = spotifyClientsFor(emulator).api;
    token = (await loginSyntheticUser(emulator)).accessToken;
  });
  beforeEach(() => {
    emulator.faults.reset();
    emulator.stats.reset();
    emulator.clock.set(TEST_EMULATOR_START);
  });
  afterAll(() => emulator?.stop());

  it('answers 429 with Retry-After once the window’s budget is spent, and recovers after it', async () => {
    emulator.faults.update({ rateLimitPerWindow: 3 });
    for (let i = 0; i < 3; i++) expect((await recentlyPlayed()).status).toBe(200);
    const limited = await recentlyPlayed();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(await limited.json()).toEqual({ error: { status: 429, message: 'API rate limit exceeded' } });

    emulator.clock.advance(29_000);
    expect((await recentlyPlayed()).status).toBe(429);
    emulator.clock.advance(1_000);
    expect((await recentlyPlayed()).status).toBe(200);
    expect(emulator.stats.snapshot()).toMatchObject({
      faults: { rate_limited: 2 },
      requests: { 'GET /v1/me/player/recently-played': { '200': 4, '429': 2 } },
    });
  });

  it('rolls the window: budget comes back as old requests leave it', async () => {
    emulator.faults.update({ rateLimitPerWindow: 2 });
    expect((await recentlyPlayed()).status).toBe(200);
    emulator.clock.advance(20_000);
    expect((await recentlyPlayed()).status).toBe(200);
    emulator.clock.advance(5_000);
    const limited = await recentlyPlayed();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('5');
    emulator.clock.advance(5_000);
    expect((await recentlyPlayed()).status).toBe(200);
    expect((await recentlyPlayed()).status).toBe(429);
  });

  it('counts every endpoint of the client against the same window', async () => {
    emulator.faults.update({ rateLimitPerWindow: 2 });
    await api.getMe(token);
    await api.getRecentlyPlayed(token);
    await expect(api.getTrack(token, emulator.catalogue.trackList[0]!.id)).rejects.toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 30_000 });
  });

  it('answers 429 QUOTA_EXCEEDED once the daily quota is spent, until the next UTC day', async () => {
    emulator.faults.update({ dailyQuota: 2 });
    await api.getRecentlyPlayed(token);
    await api.getRecentlyPlayed(token);
    const exhausted = await recentlyPlayed();
    expect(exhausted.status).toBe(429);
    expect(await exhausted.json()).toEqual({ error: { status: 429, message: expect.any(String), reason: 'QUOTA_EXCEEDED' } });
    // 12:00 UTC: the quota comes back at midnight, in 12 hours.
    expect(exhausted.headers.get('retry-after')).toBe(String(12 * 3600));
    const error = await api.getRecentlyPlayed(token).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'quota_exceeded', status: 429, retryable: false });

    emulator.clock.advance(12 * 3_600_000);
    expect((await recentlyPlayed()).status).toBe(200);
    expect(emulator.stats.snapshot().faults.quota_exceeded).toBe(2);
  });

  it('can be switched on and off at run time through the admin endpoint', async () => {
    const put = (body: unknown) => fetch(`${emulator.adminUrl}/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await put({ rateLimitPerWindow: 1, rateLimitWindowMs: 5_000 })).status).toBe(200);
    expect((await recentlyPlayed()).status).toBe(200);
    const limited = await recentlyPlayed();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('5');
    expect((await put({ rateLimitPerWindow: 0 })).status).toBe(200);
    expect((await recentlyPlayed()).status).toBe(200);
    const bad = await put({ rateLimitPerWindow: -1, nonsense: true });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/rateLimitPerWindow/);
  });
});
