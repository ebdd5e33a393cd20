import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpotifyError } from '../../services/features/spotify/spotify.errors.js';
import { newOAuthState, newPkcePair } from '../../services/features/spotify/pkce.js';
import { loginSyntheticUser, spotifyClientsFor, startTestEmulator, TEST_REDIRECT_URI, type RunningEmulator } from '../support/emulator.js';

const DAY_MS = 86_400_000;

describe('accounts service: authorization code + PKCE', () => {
  let emulator: RunningEmulator;
  let userId: string;

  beforeAll(async () => {
    emulator = await startTestEmulator({ users: 2, omitRefreshTokenRate: 0, redirectUris: [TEST_REDIRECT_URI], refreshTokenLifetimeSeconds: 30 * 86_400 });
    userId = emulator.users()[0]!.id;
  });
  afterAll(() => emulator?.stop());

  /** Runs /authorize as `userId` and returns the redirect target. */
  async function authorize(params: Record<string, string>): Promise<{ status: number; location: URL | null; text: string }> {
    const url = new URL(`${emulator.accountsUrl}/authorize`);
    const defaults = { client_id: emulator.clientId, response_type: 'code', redirect_uri: TEST_REDIRECT_URI, scope: 'user-read-recently-played', state: 'st4te', user: userId };
    for (const [key, value] of Object.entries({ ...defaults, ...params })) if (value !== '') url.searchParams.set(key, value);
    const response = await fetch(url, { redirect: 'manual' });
    const location = response.headers.get('location');
    return { status: response.status, location: location ? new URL(location) : null, text: await response.text() };
  }

  async function pkceCode(extra: Record<string, string> = {}) {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const { location } = await authorize({ code_challenge: challenge, code_challenge_method: 'S256', ...extra });
    return { verifier, code: location!.searchParams.get('code')! };
  }

  async function token(params: Record<string, string>, credentials: 'basic' | 'body' | 'none' = 'basic') {
    const headers: Record<string, string> = {};
    const body = new URLSearchParams(params);
    if (credentials === 'basic') headers.authorization = `Basic ${Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64')}`;
    if (credentials === 'body') {
      body.set('client_id', emulator.clientId);
      body.set('client_secret', emulator.clientSecret);
    }
    if (credentials === 'none') body.set('client_id', emulator.clientId);
    const response = await fetch(`${emulator.accountsUrl}/api/token`, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('redirects with a code and the state, and trades the code for Bearer tokens', async () => {
    const { verifier, code } = await pkceCode();
    expect(code).toMatch(/^AQ[\w-]{100,}$/);
    const { status, body } = await token({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI, code_verifier: verifier });
    expect(status).toBe(200);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^BQ/),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'user-read-recently-played',
      refresh_token: expect.any(String),
    });
  });

  it('accepts client credentials in the body as well as by HTTP Basic', async () => {
    const { verifier, code } = await pkceCode();
    expect((await token({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI, code_verifier: verifier }, 'body')).status).toBe(200);
  });

  it('rejects a wrong PKCE verifier', async () => {
    const { code } = await pkceCode();
    const wrong = randomBytes(32).toString('base64url');
    expect(await token({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI, code_verifier: wrong })).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'code_verifier was incorrect' },
    });
  });

  it('rejects a reused code, and revokes what the first exchange issued', async () => {
    const { verifier, code } = await pkceCode();
    const first = await token({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI, code_verifier: verifier });
    expect(first.status).toBe(200);
    const again = await token({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI, code_verifier: verifier });
    expect(again).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'Invalid authorization code' } });
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token) });
    expect(refreshed.body.error).toBe('invalid_grant');
  });

  it('rejects a redirect_uri other than the one the code was issued for', async () => {
    const { verifier, code } = await pkceCode();
    expect(await token({ grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:4000/other', code_verifier: verifier })).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid redirect URI' },
    });
  });

  it('rejects an expired code', async () => {
    const { verifier, code } = await pkceCode();
    emulator.clock.advance(11 * 60_000);
    const { body } = await token({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI, code_verifier: verifier });
    expect(body).toEqual({ error: 'invalid_grant', error_description: 'Authorization code expired' });
  });

  it('rejects bad client credentials with invalid_client', async () => {
    const { verifier, code } = await pkceCode();
    const response = await fetch(`${emulator.accountsUrl}/api/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${emulator.clientId}:wrong`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI, code_verifier: verifier }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_client', error_description: 'Invalid client secret' });
  });

  it('requires the client secret when the code was obtained without PKCE', async () => {
    const { location } = await authorize({});
    const code = location!.searchParams.get('code')!;
    expect((await token({ grant_type: 'authorization_code', code, redirect_uri: TEST_REDIRECT_URI }, 'none')).body.error).toBe('invalid_client');
  });

  it('answers unsupported_grant_type and invalid_request like Spotify', async () => {
    expect((await token({ grant_type: 'password' })).body.error).toBe('unsupported_grant_type');
    expect((await token({})).body).toEqual({ error: 'unsupported_grant_type', error_description: 'grant_type parameter is missing' });
    expect((await token({ grant_type: 'refresh_token' })).body.error).toBe('invalid_request');
  });

  it('shows an error page, not a redirect, for an unknown client or redirect URI', async () => {
    const badClient = await authorize({ client_id: 'someone-else' });
    expect(badClient.status).toBe(400);
    expect(badClient.text).toContain('INVALID_CLIENT: Invalid client');
    const badRedirect = await authorize({ redirect_uri: 'http://evil.example/callback' });
    expect(badRedirect.status).toBe(400);
    expect(badRedirect.text).toContain('Invalid redirect URI');
  });

  it('redirects OAuth errors with the state: denied, bad scope, bad PKCE method, bad response type', async () => {
    const error = async (params: Record<string, string>) => {
      const { status, location } = await authorize(params);
      expect(status).toBe(302);
      expect(location!.searchParams.get('state')).toBe('st4te');
      return location!.searchParams.get('error');
    };
    expect(await error({ deny: '1' })).toBe('access_denied');
    expect(await error({ scope: 'user-read-recently-played rule-the-world' })).toBe('invalid_scope');
    expect(await error({ code_challenge: 'x'.repeat(43), code_challenge_method: 'plain' })).toBe('invalid_request');
    expect(await error({ response_type: 'token' })).toBe('unsupported_response_type');
  });

  it('lists the synthetic users on a login page when no user is chosen', async () => {
    const page = await authorize({ user: '' });
    expect(page.status).toBe(200);
    for (const user of emulator.users()) expect(page.text).toContain(`user=${user.id}`);
    expect(page.text).toContain('deny=1');
  });

  it('reports a refusal as access_denied through the OAuth client', async () => {
    const { oauth } = spotifyClientsFor(emulator);
    const { codeVerifier, codeChallenge } = await newPkcePair();
    const state = newOAuthState();
    const url = new URL(oauth.buildLoginUrl({ state, codeChallenge, scopes: ['user-read-recently-played'] }));
    url.searchParams.set('deny', '1');
    const location = (await fetch(url, { redirect: 'manual' })).headers.get('location')!;
    await expect(oauth.exchangeCode({ currentUrl: location, codeVerifier, expectedState: state })).rejects.toMatchObject({ kind: 'access_denied' });
  });

  it('exchanges a bare code when the caller checked the state itself', async () => {
    const { oauth, api } = spotifyClientsFor(emulator);
    const { codeVerifier, codeChallenge } = await newPkcePair();
    const url = new URL(oauth.buildLoginUrl({ state: 'checked', codeChallenge, scopes: ['user-read-private'] }));
    url.searchParams.set('user', userId);
    const code = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
    const tokens = await oauth.exchangeCode({ code, codeVerifier });
    expect(tokens.scopes).toEqual(['user-read-private']);
    expect((await api.getMe(tokens.accessToken)).country).toMatch(/^[A-Z]{2}$/);
  });

  it('rejects a callback whose state is not the one sent', async () => {
    const { oauth } = spotifyClientsFor(emulator);
    const { codeVerifier, codeChallenge } = await newPkcePair();
    const url = new URL(oauth.buildLoginUrl({ state: 'mine', codeChallenge, scopes: [] }));
    url.searchParams.set('user', userId);
    const location = (await fetch(url, { redirect: 'manual' })).headers.get('location')!;
    await expect(oauth.exchangeCode({ currentUrl: location, codeVerifier, expectedState: 'another' })).rejects.toMatchObject({ kind: 'bad_request' });
  });
});

describe('accounts service: refresh tokens', () => {
  const LIFETIME_DAYS = 30;

  it('rotates a PKCE refresh token on every refresh: the used one is rejected', async () => {
    const emulator = await startTestEmulator({ omitRefreshTokenRate: 0 });
    try {
      const { oauth } = spotifyClientsFor(emulator);
      const login = await loginSyntheticUser(emulator);
      const first = await oauth.refresh(login.refreshToken);
      expect(first.refreshToken).toBeDefined();
      expect(first.refreshToken).not.toBe(login.refreshToken);
      await expect(oauth.refresh(login.refreshToken)).rejects.toMatchObject({ kind: 'invalid_grant', status: 400 });
      const second = await oauth.refresh(first.refreshToken!);
      expect(second.accessToken).not.toBe(first.accessToken);
      expect(emulator.stats.snapshot().oauth.refresh_token_rotated).toBe(2);
    } finally {
      await emulator.stop();
    }
  });

  it('keeps the old refresh token valid when a refresh answer carries none', async () => {
    const emulator = await startTestEmulator({ omitRefreshTokenRate: 1 });
    try {
      const { oauth, api } = spotifyClientsFor(emulator);
      const login = await loginSyntheticUser(emulator);
      const first = await oauth.refresh(login.refreshToken);
      expect(first).not.toHaveProperty('refreshToken');
      const second = await oauth.refresh(login.refreshToken);
      expect((await api.getMe(second.accessToken)).id).toBe(login.userId);
    } finally {
      await emulator.stop();
    }
  });

  it('stops refreshing a fixed time after the first authorisation, however often it was refreshed', async () => {
    const emulator = await startTestEmulator({ omitRefreshTokenRate: 0, refreshTokenLifetimeSeconds: LIFETIME_DAYS * 86_400 });
    try {
      const { oauth } = spotifyClientsFor(emulator);
      const login = await loginSyntheticUser(emulator);
      let refreshToken = login.refreshToken;
      for (let day = 7; day < LIFETIME_DAYS; day += 7) {
        emulator.clock.advance(7 * DAY_MS);
        refreshToken = (await oauth.refresh(refreshToken)).refreshToken!;
      }
      emulator.clock.advance(2 * DAY_MS);
      const error = await oauth.refresh(refreshToken).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SpotifyError);
      expect(error).toMatchObject({ kind: 'invalid_grant', spotifyMessage: 'Refresh token expired' });
      // A new login starts a new lifetime.
      expect((await oauth.refresh((await loginSyntheticUser(emulator)).refreshToken)).accessToken).toBeTruthy();
    } finally {
      await emulator.stop();
    }
  });

  it('answers invalid_grant once the user’s refresh tokens are revoked', async () => {
    const emulator = await startTestEmulator({ users: 2 });
    try {
      const { oauth } = spotifyClientsFor(emulator);
      const [alice, bob] = emulator.users();
      const aliceLogin = await loginSyntheticUser(emulator, alice!.id);
      const bobLogin = await loginSyntheticUser(emulator, bob!.id);
      const response = await fetch(`${emulator.adminUrl}/users/${alice!.id}/revoke-refresh-tokens`, { method: 'POST' });
      expect(await response.json()).toEqual({ revokedGrants: 1 });
      await expect(oauth.refresh(aliceLogin.refreshToken)).rejects.toMatchObject({ kind: 'invalid_grant', spotifyMessage: 'Refresh token revoked' });
      expect((await oauth.refresh(bobLogin.refreshToken)).accessToken).toBeTruthy();
      expect(emulator.stats.snapshot().faults.refresh_revoked).toBe(1);
    } finally {
      await emulator.stop();
    }
  });

  it('expires access tokens after their lifetime, or when forced, with Spotify’s 401', async () => {
    const emulator = await startTestEmulator({ accessTokenTtlSeconds: 60 });
    try {
      const { api, oauth } = spotifyClientsFor(emulator);
      const login = await loginSyntheticUser(emulator);
      expect(login.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(60_000);
      await api.getMe(login.accessToken);
      emulator.clock.advance(60_000);
      await expect(api.getMe(login.accessToken)).rejects.toMatchObject({ kind: 'unauthorized', status: 401, spotifyMessage: 'The access token expired' });
      const raw = await fetch(`${emulator.apiUrl}/me`, { headers: { authorization: `Bearer ${login.accessToken}` } });
      expect(raw.headers.get('www-authenticate')).toBe('Bearer realm="spotify", error="invalid_token", error_description="The access token expired"');
      const fresh = await oauth.refresh(login.refreshToken);
      await api.getMe(fresh.accessToken);
      await fetch(`${emulator.adminUrl}/users/${login.userId}/expire-access-tokens`, { method: 'POST' });
      await expect(api.getMe(fresh.accessToken)).rejects.toMatchObject({ kind: 'unauthorized', spotifyMessage: 'The access token expired' });
      expect(emulator.stats.snapshot().faults.forced_expiry).toBe(1);
    } finally {
      await emulator.stop();
    }
  });

  it('answers 403 when the token lacks the recently-played scope, and /me shows only what the scopes allow', async () => {
    const emulator = await startTestEmulator();
    try {
      const { api } = spotifyClientsFor(emulator);
      const login = await loginSyntheticUser(emulator, undefined, { scopes: ['user-read-email'] });
      await expect(api.getRecentlyPlayed(login.accessToken)).rejects.toMatchObject({ kind: 'forbidden', status: 403, spotifyMessage: 'Insufficient client scope' });
      const me = await api.getMe(login.accessToken);
      expect(me.email).toMatch(/@example\.com$/);
      expect(me.country).toBeUndefined();
    } finally {
      await emulator.stop();
    }
  });
});
