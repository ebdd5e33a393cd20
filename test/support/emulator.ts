import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../services/spotify-emulator/start-emulator.js';
import { newOAuthState, newPkcePair } from '../../services/features/spotify/pkce.js';
import { SpotifyApiClient } from '../../services/features/spotify/spotify-api.client.js';
import { SpotifyOAuthClient, type SpotifyTokens } from '../../services/features/spotify/spotify-oauth.client.js';
import { PLAYLOG_SPOTIFY_SCOPES } from '../../services/features/spotify/spotify-scopes.js';

export type { RunningEmulator, EmulatorOptions } from '../../services/spotify-emulator/start-emulator.js';

/** The instant test emulators start at (frozen), so every test sees the same plays. */
export const TEST_EMULATOR_START = '2026-11-23T12:00:00.000Z';
/** The redirect URI test logins use (any http(s) URI works unless `redirectUris` is set). */
export const TEST_REDIRECT_URI = 'http://127.0.0.1:4000/auth/callback';

/**
 * Starts an in-process Spotify emulator on a free port for a test file. Unless told otherwise its
 * clock is FROZEN at TEST_EMULATOR_START: plays, token expiry and the rate-limit window move only
 * when the test calls `emulator.clock.advance(ms)` (or `set` / `unfreeze`). Stop it in `afterAll`:
 *
 * ```ts
 * let emulator: RunningEmulator;
 * beforeAll(async () => { emulator = await startTestEmulator({ users: 2 }); });
 * afterAll(() => emulator.stop());
 * ```
 */
export function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ port: 0, clock: { startAt: TEST_EMULATOR_START, frozen: true }, ...options });
}

/**
 * The SPOTIFY_* variables that point Playlog's services at this emulator; merge them into the env
 * you pass to `loadConfig` or to a child process.
 */
export function spotifyEnvFor(emulator: RunningEmulator, redirectUri = TEST_REDIRECT_URI): Record<string, string> {
  return {
    SPOTIFY_ACCOUNTS_URL: emulator.accountsUrl,
    SPOTIFY_API_URL: emulator.apiUrl,
    SPOTIFY_CLIENT_ID: emulator.clientId,
    SPOTIFY_CLIENT_SECRET: emulator.clientSecret,
    SPOTIFY_REDIRECT_URI: redirectUri,
    SPOTIFY_HTTP_TIMEOUT_MS: '5000',
  };
}

/** Spotify clients (OAuth and Web API) configured for this emulator. */
export function spotifyClientsFor(emulator: RunningEmulator, options: { redirectUri?: string; timeoutMs?: number } = {}) {
  const timeoutMs = options.timeoutMs ?? 5_000;
  return {
    oauth: new SpotifyOAuthClient({
      accountsUrl: emulator.accountsUrl,
      clientId: emulator.clientId,
      clientSecret: emulator.clientSecret,
      redirectUri: options.redirectUri ?? TEST_REDIRECT_URI,
      timeoutMs,
    }),
    api: new SpotifyApiClient({ apiUrl: emulator.apiUrl, timeoutMs }),
  };
}

/**
 * Logs a synthetic user in through the full authorization-code + PKCE flow, over HTTP, exactly as a
 * browser and Playlog's API would (authorize → redirect with code → token exchange), and returns the
 * tokens. For tests of components that need a user's tokens without going through Playlog's API.
 *
 * @param userId a synthetic user's id (`emulator.users()[0].id`); default the first user.
 * @param options.scopes default Playlog's scopes.
 */
export async function loginSyntheticUser(
  emulator: RunningEmulator,
  userId: string = emulator.users()[0]!.id,
  options: { scopes?: readonly string[]; redirectUri?: string } = {},
): Promise<SpotifyTokens & { refreshToken: string; userId: string }> {
  const { oauth } = spotifyClientsFor(emulator, options);
  const { codeVerifier, codeChallenge } = await newPkcePair();
  const state = newOAuthState();
  const loginUrl = new URL(oauth.buildLoginUrl({ state, codeChallenge, scopes: options.scopes ?? PLAYLOG_SPOTIFY_SCOPES }));
  loginUrl.searchParams.set('user', userId);
  const response = await fetch(loginUrl, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`emulator login for ${userId} answered ${response.status} without a redirect`);
  const tokens = await oauth.exchangeCode({ currentUrl: location, codeVerifier, expectedState: state });
  return { ...tokens, userId };
}
