import * as oidc from 'openid-client';
import { toSpotifyError } from './spotify-api.client.js';
import { SpotifyError } from './spotify.errors.js';
import { statusOfFailure, type SpotifyObserver } from './spotify-observer.js';
import { describeSchemaProblems, tokenResponseSchema } from './spotify-schemas.js';

export interface SpotifyOAuthClientOptions {
  /** SPOTIFY_ACCOUNTS_URL, e.g. https://accounts.spotify.com or the emulator's http://127.0.0.1:4100/accounts */
  accountsUrl: string;
  /** Where browsers reach the same accounts service, for the login page, when not at accountsUrl (the compose demo). */
  browserAccountsUrl?: string;
  clientId: string;
  clientSecret: string;
  /** SPOTIFY_REDIRECT_URI, registered with the Spotify app. */
  redirectUri: string;
  /** SPOTIFY_HTTP_TIMEOUT_MS */
  timeoutMs: number;
  /** For tests; default Date.now. */
  now?: () => number;
  /** Told of every token request and how each refresh ended (the worker's metrics). */
  observer?: SpotifyObserver;
}

export interface SpotifyTokens {
  accessToken: string;
  /** Absent when Spotify sent none (a refresh answer may omit it): keep using the old one then. */
  refreshToken?: string;
  expiresAt: Date;
  scopes: string[];
}

export type CodeExchange =
  /** The full callback URL the browser arrived at (`?code=...&state=...` or `?error=...`). */
  | { currentUrl: string | URL; codeVerifier: string; expectedState: string }
  /** Just the code, when the caller already checked state itself. */
  | { code: string; codeVerifier: string; expectedState?: undefined };

/**
 * Spotify's accounts service through openid-client: the login URL (authorization code + PKCE S256),
 * the code exchange, and token refresh. Configured from SPOTIFY_ACCOUNTS_URL without discovery
 * (Spotify publishes no OAuth metadata for this flow). Every failure is a SpotifyError.
 */
export class SpotifyOAuthClient {
  private readonly config: oidc.Configuration;
  private readonly now: () => number;

  constructor(private readonly options: SpotifyOAuthClientOptions) {
    const base = options.accountsUrl.replace(/\/+$/, '');
    const browserBase = (options.browserAccountsUrl ?? base).replace(/\/+$/, '');
    this.config = new oidc.Configuration(
      { issuer: base, authorization_endpoint: `${browserBase}/authorize`, token_endpoint: `${base}/api/token` },
      options.clientId,
      { client_secret: options.clientSecret, redirect_uris: [options.redirectUri] },
      oidc.ClientSecretBasic(options.clientSecret),
    );
    this.config.timeout = options.timeoutMs / 1000;
    // Plain http only for the local emulator; real Spotify is https.
    if (new URL(base).protocol === 'http:') oidc.allowInsecureRequests(this.config);
    this.now = options.now ?? Date.now;
  }

  /** Where to send the user's browser to log in. */
  buildLoginUrl(input: { state: string; codeChallenge: string; scopes: readonly string[] }): string {
    return oidc
      .buildAuthorizationUrl(this.config, {
        response_type: 'code',
        redirect_uri: this.options.redirectUri,
        scope: input.scopes.join(' '),
        state: input.state,
        code_challenge: input.codeChallenge,
        code_challenge_method: 'S256',
      })
      .toString();
  }

  /** Trades the callback's code for tokens (PKCE verifier, state check). */
  async exchangeCode(input: CodeExchange): Promise<SpotifyTokens & { refreshToken: string }> {
    let callback: URL;
    if ('currentUrl' in input) {
      callback = new URL(input.currentUrl);
    } else {
      callback = new URL(this.options.redirectUri);
      callback.search = new URLSearchParams({ code: input.code }).toString();
    }
    const denied = callback.searchParams.get('error');
    if (denied !== null) {
      // Checked here so that a refusal is reported as such, whatever openid-client makes of it.
      const kind = denied === 'access_denied' ? 'access_denied' : 'bad_request';
      throw new SpotifyError(kind, `Spotify login failed: ${denied}`, { spotifyMessage: denied, endpoint: 'GET /authorize' });
    }
    if (input.expectedState !== undefined && callback.searchParams.get('state') !== input.expectedState) {
      // Checked before anything is sent: a callback with another state may be a forged login (CSRF).
      throw new SpotifyError('bad_request', 'Spotify login callback carries a state other than the one sent', { endpoint: 'GET /authorize' });
    }
    const tokens = await this.call('POST /api/token (authorization_code)', () =>
      oidc.authorizationCodeGrant(this.config, callback, {
        pkceCodeVerifier: input.codeVerifier,
        expectedState: input.expectedState ?? oidc.skipStateCheck,
      }),
    );
    if (!tokens.refreshToken) throw new SpotifyError('malformed_response', 'Spotify answered the code exchange without a refresh token', { endpoint: 'POST /api/token' });
    return { ...tokens, refreshToken: tokens.refreshToken };
  }

  /** New access token; `refreshToken` is set only when Spotify rotated it. `invalid_grant`: the user must log in again. */
  async refresh(refreshToken: string): Promise<SpotifyTokens> {
    try {
      const tokens = await this.call('POST /api/token (refresh_token)', () => oidc.refreshTokenGrant(this.config, refreshToken));
      this.options.observer?.tokenRefresh('refreshed');
      return tokens;
    } catch (error) {
      this.options.observer?.tokenRefresh(error instanceof SpotifyError && error.kind === 'invalid_grant' ? 'reauth_required' : 'failed');
      throw error;
    }
  }

  private async call(endpoint: string, grant: () => Promise<oidc.TokenEndpointResponse>): Promise<SpotifyTokens> {
    let response: oidc.TokenEndpointResponse;
    // One label for both grants: the endpoint is the same, the refresh outcome is counted on its own.
    const label = 'POST /api/token';
    const startedAt = performance.now();
    try {
      response = await grant();
      this.options.observer?.request(label, '200', (performance.now() - startedAt) / 1000);
    } catch (error) {
      const failure = toOAuthError(error, endpoint, this.options.timeoutMs);
      this.options.observer?.request(label, statusOfFailure(failure), (performance.now() - startedAt) / 1000);
      throw failure;
    }
    const parsed = tokenResponseSchema.safeParse(response);
    if (!parsed.success) {
      throw new SpotifyError('malformed_response', `Spotify ${endpoint} answered an unexpected shape: ${describeSchemaProblems(parsed.error)}`, { endpoint });
    }
    const body = parsed.data;
    return {
      accessToken: body.access_token,
      ...(body.refresh_token !== undefined && { refreshToken: body.refresh_token }),
      expiresAt: new Date(this.now() + body.expires_in * 1000),
      scopes: (body.scope ?? '').split(' ').filter(Boolean),
    };
  }
}

/** Maps openid-client's errors onto SpotifyError kinds; messages carry OAuth error codes, never tokens. */
function toOAuthError(error: unknown, endpoint: string, timeoutMs: number): SpotifyError {
  if (error instanceof SpotifyError) return error;
  if (error instanceof oidc.ResponseBodyError) {
    const description = error.error_description ? `: ${error.error_description}` : '';
    const details = { status: error.status, endpoint, spotifyMessage: error.error_description ?? error.error };
    const message = `Spotify ${endpoint} answered ${error.status} ${error.error}${description}`;
    if (error.error === 'invalid_grant') return new SpotifyError('invalid_grant', message, details);
    if (error.error === 'invalid_client' || error.error === 'unauthorized_client') return new SpotifyError('invalid_client', message, details);
    if (error.status === 429) return new SpotifyError('rate_limited', message, { ...details, retryAfterMs: retryAfter(error.response) });
    if (error.status >= 500) return new SpotifyError('server_error', message, details);
    return new SpotifyError('bad_request', message, details);
  }
  if (error instanceof oidc.ClientError) {
    const code = error.code ?? '';
    if (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT') return new SpotifyError('timeout', `Spotify ${endpoint} did not answer within ${timeoutMs} ms`, { endpoint, cause: error });
    if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && error.cause instanceof Response) {
      const { status } = error.cause;
      const details = { status, endpoint };
      if (status === 429) return new SpotifyError('rate_limited', `Spotify ${endpoint} answered 429 (rate limited)`, { ...details, retryAfterMs: retryAfter(error.cause) });
      if (status >= 500) return new SpotifyError('server_error', `Spotify ${endpoint} answered ${status} (server error, not an OAuth error body)`, details);
      return new SpotifyError('bad_request', `Spotify ${endpoint} answered ${status} without an OAuth error body`, details);
    }
    return new SpotifyError('malformed_response', `Spotify ${endpoint} answered something unusable: ${error.message} (${code})`, { endpoint, cause: error });
  }
  if (error instanceof oidc.AuthorizationResponseError) {
    const kind = error.error === 'access_denied' ? 'access_denied' : 'bad_request';
    return new SpotifyError(kind, `Spotify login failed: ${error.error}`, { endpoint: 'GET /authorize', spotifyMessage: error.error });
  }
  return toSpotifyError(error, endpoint, timeoutMs);
}

function retryAfter(response: Response): number {
  const value = response.headers.get('retry-after');
  return value && /^\d+$/.test(value) ? Number(value) * 1000 : 5_000;
}
