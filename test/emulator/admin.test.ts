import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroundTruthPlay } from '../../services/spotify-emulator/ground-truth.js';
import { loginSyntheticUser, spotifyClientsFor, startTestEmulator, TEST_EMULATOR_START, type RunningEmulator } from '../support/emulator.js';

describe('emulator admin endpoints', () => {
  let emulator: RunningEmulator;
  const admin = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${emulator.adminUrl}${path}`, {
      method,
      ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };

  beforeAll(async () => {
    emulator = await startTestEmulator({ users: 2 });
  });
  afterAll(() => emulator?.stop());

  it('reads, advances, sets, freezes and unfreezes the clock', async () => {
    expect((await admin('GET', '/clock')).body).toEqual({ now: TEST_EMULATOR_START, frozen: true });
    expect((await admin('POST', '/clock/advance', { ms: 90_000 })).body).toEqual({ now: '2026-11-23T12:01:30.000Z', frozen: true });
    expect((await admin('PUT', '/clock', { now: '2027-01-01T00:00:00Z' })).body).toEqual({ now: '2027-01-01T00:00:00.000Z', frozen: true });
    const running = await admin<{ now: string; frozen: boolean }>('POST', '/clock/unfreeze');
    expect(running.body.frozen).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(Date.parse((await admin<{ now: string }>('GET', '/clock')).body.now)).toBeGreaterThan(Date.parse('2027-01-01T00:00:00.020Z'));
    expect((await admin('POST', '/clock/freeze', { at: TEST_EMULATOR_START })).body).toEqual({ now: TEST_EMULATOR_START, frozen: true });
    expect((await admin('POST', '/clock/advance', { ms: -5 })).status).toBe(400);
  });

  it('adds a user who can log in and listen', async () => {
    const created = await admin<{ id: string }>('POST', '/users', { id: 'newcomer', displayName: 'New Comer', playsPerHour: 20 });
    expect(created.status).toBe(201);
    expect((await admin('POST', '/users', { id: 'newcomer' })).status).toBe(400);
    const login = await loginSyntheticUser(emulator, 'newcomer');
    const me = await spotifyClientsFor(emulator).api.getMe(login.accessToken);
    expect(me).toMatchObject({ id: 'newcomer', display_name: 'New Comer' });
    const users = await admin<Array<{ id: string; grants: Array<{ pkce: boolean; refreshExpiresAt: string }> }>>('GET', '/users');
    const newcomer = users.body.find((user) => user.id === 'newcomer')!;
    expect(newcomer.grants).toEqual([expect.objectContaining({ pkce: true, refreshExpiresAt: '2027-05-25T12:00:00.000Z' })]);
    expect((await admin('GET', '/users/nobody')).status).toBe(404);
  });

  it('returns the ground truth: every play in the range, skips flagged, and which are retrievable now', async () => {
    const userId = emulator.users()[0]!.id;
    const { body } = await admin<{ plays: GroundTruthPlay[] }>('GET', `/users/${userId}/plays?from=2026-11-22T00:00:00Z&to=2026-11-24T00:00:00Z`);
    const plays = body.plays;
    expect(plays.length).toBeGreaterThan(60);
    expect(plays.every((play) => play.played_at <= TEST_EMULATOR_START)).toBe(true);
    expect(plays.filter((play) => play.retrievable)).toHaveLength(50);
    expect(plays.filter((play) => !play.counted).every((play) => !play.retrievable && play.ms_played <= 30_000)).toBe(true);
    expect(plays.map((play) => play.played_at)).toEqual(plays.map((play) => play.played_at).sort());

    const token = (await loginSyntheticUser(emulator, userId)).accessToken;
    const page = await spotifyClientsFor(emulator).api.getRecentlyPlayed(token, { limit: 50 });
    expect(page.items.map((item) => item.played_at).reverse()).toEqual(plays.filter((play) => play.retrievable).map((play) => play.played_at));
    const retrievable = await admin<{ plays: GroundTruthPlay[] }>('GET', `/users/${userId}/retrievable`);
    expect(retrievable.body.plays).toEqual(plays.filter((play) => play.retrievable));
    expect((await admin('GET', `/users/${userId}/plays?from=nonsense`)).status).toBe(400);
  });

  it('lists every secret it issued or received', async () => {
    const login = await loginSyntheticUser(emulator);
    const { body } = await admin<Record<string, string[] | string>>('GET', '/secrets');
    expect(body.clientSecret).toBe(emulator.clientSecret);
    expect(body.accessTokens).toContain(login.accessToken);
    expect(body.refreshTokens).toContain(login.refreshToken);
    expect((body.authorizationCodes as string[]).length).toBeGreaterThan(0);
    expect((body.codeVerifiers as string[]).length).toBeGreaterThan(0);
  });

  it('answers 400 in JSON for a body that is not JSON or a fault that cannot apply', async () => {
    const response = await fetch(`${emulator.adminUrl}/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { status: number } }).error.status).toBe(400);
    expect((await admin('POST', '/faults/queue', { faults: [{ kind: 'rate_limited', target: 'token' }] })).status).toBe(400);
  });

  it('answers 404 for an unknown admin path and serves a health check', async () => {
    expect((await admin('GET', '/nothing')).status).toBe(404);
    expect(await (await fetch(`${emulator.url}/healthz`)).json()).toEqual({ status: 'ok' });
  });
});
