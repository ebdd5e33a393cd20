import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../services/shared/logging/logger.js';
import { SpotifyApiClient } from '../../services/features/spotify/spotify-api.client.js';
import { SpotifyError } from '../../services/features/spotify/spotify.errors.js';
import type { SpotifyOAuthClient } from '../../services/features/spotify/spotify-oauth.client.js';
import { newPkcePair } from '../../services/features/spotify/pkce.js';
import { loginSyntheticUser, spotifyClientsFor, startTestEmulator, type RunningEmulator } from '../support/emulator.js';

describe('fault injection and the client’s error kinds', () => {
  let emulator: RunningEmulator;
  let api: SpotifyApiClient;
  let oauth: SpotifyOAuthClient;
  let token: string;
  let refreshToken: string;
  const failure = async (call: Promise<unknown>): Promise<SpotifyError> => {
    const error = await call.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SpotifyError);
    return error as SpotifyError;
  };

  beforeAll(async () => {
    emulator = await startTestEmulator({ omitRefreshTokenRate: 1 });
    ({ oauth, api } = spotifyClientsFor(emulator, { timeoutMs: 400 }));
    ({ accessToken: token, refreshToken } = await loginSyntheticUser(emulator));
  });
  beforeEach(() => {
    emulator.faults.reset();
    emulator.stats.reset();
  });
  afterAll(() => emulator?.stop());

  it('answers 500 and 503 with Spotify’s error JSON: server_error, retryable', async () => {
    emulator.faults.update({ errorRate: 1, errorStatuses: [503] });
    const error = await failure(api.getRecentlyPlayed(token));
    expect(error).toMatchObject({ kind: 'server_error', status: 503, spotifyMessage: 'Service unavailable', retryable: true });
    emulator.faults.update({ errorStatuses: [500] });
    expect(await failure(api.getMe(token))).toMatchObject({ kind: 'server_error', status: 500 });
    expect(emulator.stats.snapshot().faults).toEqual({ server_error_503: 1, server_error_500: 1 });
  });

  it('answers 502 with a gateway’s HTML page, which the client reports as a server error', async () => {
    emulator.faults.enqueue({ kind: '502' });
    const error = await failure(api.getRecentlyPlayed(token));
    expect(error).toMatchObject({ kind: 'server_error', status: 502 });
    expect(error.message).toMatch(/text\/html.*, not JSON/);
  });

  it('resets connections: a network error', async () => {
    emulator.faults.update({ resetRate: 1 });
    expect(await failure(api.getRecentlyPlayed(token))).toMatchObject({ kind: 'network', retryable: true });
    expect(emulator.stats.snapshot().requests['GET /v1/me/player/recently-played']).toEqual({ reset: 1 });
  });

  it('never answers a timed-out request: the client gives up after its timeout', async () => {
    emulator.faults.update({ timeoutRate: 1 });
    const started = Date.now();
    const error = await failure(api.getRecentlyPlayed(token));
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
    expect(error.message).toMatch(/within 400 ms/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(emulator.stats.snapshot().faults.timeout).toBe(1);
  });

  it('cuts bodies short: malformed_response with a clear message', async () => {
    emulator.faults.update({ malformedRate: 1 });
    const error = await failure(api.getRecentlyPlayed(token));
    expect(error).toMatchObject({ kind: 'malformed_response', status: 200 });
    expect(error.message).toMatch(/not JSON \(application\/json; charset=utf-8, \d+ bytes\)/);
  });

  it('adds latency', async () => {
    emulator.faults.update({ latencyMs: 150, latencyJitterMs: 50 });
    const started = Date.now();
    await api.getMe(token);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(emulator.stats.snapshot().faults.latency).toBe(1);
  });

  it('plays scripted faults in order, then answers normally', async () => {
    emulator.faults.enqueue({ kind: '503' }, { kind: 'rate_limited', retryAfterSeconds: 7 }, { kind: 'quota_exceeded' });
    expect((await failure(api.getRecentlyPlayed(token))).kind).toBe('server_error');
    expect(await failure(api.getRecentlyPlayed(token))).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7_000 });
    expect((await failure(api.getRecentlyPlayed(token))).kind).toBe('quota_exceeded');
    expect((await api.getRecentlyPlayed(token)).items.length).toBeGreaterThan(0);
  });

  it('hits the token endpoint only when it is a target', async () => {
    emulator.faults.update({ errorRate: 1, errorStatuses: [503] });
    expect((await oauth.refresh(refreshToken)).accessToken).toBeTruthy();
    emulator.faults.update({ targets: ['token'] });
    expect(await failure(oauth.refresh(refreshToken))).toMatchObject({ kind: 'server_error', status: 503 });
    expect((await api.getMe(token)).id).toBeTruthy();
    emulator.faults.update({ errorStatuses: [502] });
    expect(await failure(oauth.refresh(refreshToken))).toMatchObject({ kind: 'server_error', status: 502 });
    emulator.faults.update({ errorRate: 0, timeoutRate: 1 });
    expect((await failure(oauth.refresh(refreshToken))).kind).toBe('timeout');
    emulator.faults.update({ timeoutRate: 0, resetRate: 1 });
    expect((await failure(oauth.refresh(refreshToken))).kind).toBe('network');
    emulator.faults.update({ resetRate: 0, malformedRate: 1 });
    expect((await failure(oauth.refresh(refreshToken))).kind).toBe('malformed_response');
  });

  it('queues faults and resets counters through the admin endpoints', async () => {
    const post = (path: string, body?: unknown) =>
      fetch(`${emulator.adminUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    const queued = await post('/faults/queue', { faults: ['reset', { kind: '500' }] });
    expect(((await queued.json()) as { queue: unknown[] }).queue).toHaveLength(2);
    expect((await failure(api.getMe(token))).kind).toBe('network');
    expect((await failure(api.getMe(token))).kind).toBe('server_error');
    const stats = (await (await fetch(`${emulator.adminUrl}/stats`)).json()) as { faults: Record<string, number> };
    expect(stats.faults).toEqual({ reset: 1, server_error_500: 1 });
    await post('/stats/reset');
    expect(((await (await fetch(`${emulator.adminUrl}/stats`)).json()) as { faults: object }).faults).toEqual({});
    expect((await post('/faults/queue', { faults: ['explode'] })).status).toBe(400);
  });

  it('reports a stopped Spotify as a network error', async () => {
    const gone = await startTestEmulator();
    const url = gone.apiUrl;
    await gone.stop();
    expect(await failure(new SpotifyApiClient({ apiUrl: url, timeoutMs: 1_000 }).getMe(token))).toMatchObject({ kind: 'network' });
  });

  it('stops promptly while a request is held by a timeout fault', async () => {
    const held = await startTestEmulator({ faults: { timeoutRate: 1 } });
    const pending = fetch(`${held.apiUrl}/me`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await held.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('refuses to send the token to a next URL outside the API, and checks its arguments', () => {
    expect(() => api.getRecentlyPlayedNext(token, 'https://evil.example/v1/me/player/recently-played?before=1')).toThrow(RangeError);
    expect(() => api.getRecentlyPlayed(token, { after: 1, before: 2 })).toThrow(RangeError);
    expect(() => api.getRecentlyPlayed(token, { limit: 51 })).toThrow(RangeError);
    expect(() => api.getTrack(token, '../me')).toThrow(RangeError);
  });

  it('never puts a token, code or secret in an error message or a logged error', async () => {
    const seen: SpotifyError[] = [];
    for (const kind of ['500', '502', '503', 'reset', 'timeout', 'malformed', 'rate_limited', 'quota_exceeded'] as const) {
      emulator.faults.enqueue({ kind });
      seen.push(await failure(api.getRecentlyPlayed(token)));
    }
    for (const kind of ['500', '502', 'reset', 'timeout', 'malformed'] as const) {
      emulator.faults.enqueue({ kind, target: 'token' });
      seen.push(await failure(oauth.refresh(refreshToken)));
    }
    seen.push(await failure(api.getMe('BQnot-a-real-token')), await failure(oauth.refresh('AQnot-a-real-refresh-token')));
    const { codeVerifier } = await newPkcePair();
    seen.push(await failure(oauth.exchangeCode({ code: 'AQnot-a-real-code', codeVerifier })));
    expect(new Set(seen.map((error) => error.kind))).toEqual(
      new Set(['server_error', 'network', 'timeout', 'malformed_response', 'rate_limited', 'quota_exceeded', 'unauthorized', 'invalid_grant']),
    );

    const lines: string[] = [];
    const logger = createLogger({ service: 'test', destination: new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }) });
    for (const error of seen) logger.error({ err: error }, 'spotify call failed');
    const secrets = emulator.secrets();
    const needles = [token, refreshToken, secrets.clientSecret, 'BQnot-a-real-token', 'AQnot-a-real-refresh-token', 'AQnot-a-real-code', codeVerifier, ...secrets.authorizationCodes, ...secrets.codeVerifiers];
    for (const error of seen) {
      const text = `${error.message}\n${error.stack}\n${JSON.stringify(error)}`;
      for (const needle of needles) expect(text.includes(needle)).toBe(false);
    }
    for (const needle of needles) expect(lines.join('').includes(needle)).toBe(false);
  });
});
