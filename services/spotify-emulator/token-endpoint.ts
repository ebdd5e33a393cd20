import { createHash, timingSafeEqual } from 'node:crypto';
import type { EmulatorState } from './emulator-state.js';
import type { OAuthEvent } from './stats.js';
import type { Grant } from './token-store.js';

export interface TokenReply {
  status: number;
  body: Record<string, unknown>;
}

type Params = Record<string, string | undefined>;
type Client = { id: string; authenticated: boolean };

const failure = (state: EmulatorState, error: OAuthEvent & string, description: string, status = 400): TokenReply => {
  state.stats.countOAuth(error);
  return { status, body: { error, error_description: description } };
};

/**
 * `POST /api/token`: the authorization_code and refresh_token grants, as Spotify's accounts service
 * answers them (OAuth error bodies, Basic or body client credentials, PKCE, refresh token rotation for
 * PKCE grants, refresh tokens that die a fixed time after the first authorisation).
 */
export function handleTokenRequest(state: EmulatorState, authorization: string | undefined, params: Params): TokenReply {
  const client = identifyClient(state, authorization, params);
  if ('error' in client) return failure(state, client.error, client.description);
  switch (params.grant_type) {
    case 'authorization_code':
      return exchangeCode(state, client, params);
    case 'refresh_token':
      return refresh(state, client, params);
    case undefined:
    case '':
      return failure(state, 'unsupported_grant_type', 'grant_type parameter is missing');
    default:
      return failure(state, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token (the emulator offers no other grant)');
  }
}

function identifyClient(
  state: EmulatorState,
  authorization: string | undefined,
  params: Params,
): Client | { error: 'invalid_client' | 'invalid_request'; description: string } {
  let id = params.client_id;
  let secret = params.client_secret;
  if (authorization) {
    const basic = /^Basic\s+(\S+)$/i.exec(authorization);
    if (!basic) return { error: 'invalid_client', description: 'Invalid client' };
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return { error: 'invalid_client', description: 'Invalid client' };
    // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
    const headerId = formDecode(decoded.slice(0, colon));
    if (id !== undefined && id !== headerId) return { error: 'invalid_request', description: 'client_id does not match the authorization header' };
    id = headerId;
    secret = formDecode(decoded.slice(colon + 1));
  }
  if (!id || id !== state.client.id) return { error: 'invalid_client', description: 'Invalid client' };
  if (secret !== undefined && !same(secret, state.client.secret)) return { error: 'invalid_client', description: 'Invalid client secret' };
  return { id, authenticated: secret !== undefined };
}

function exchangeCode(state: EmulatorState, client: Client, params: Params): TokenReply {
  if (!params.code) return failure(state, 'invalid_request', 'code must be supplied');
  if (!params.redirect_uri) return failure(state, 'invalid_request', 'redirect_uri must be supplied');
  if (params.code_verifier) state.tokens.recordVerifier(params.code_verifier);
  const code = state.tokens.findCode(params.code);
  if (!code || code.clientId !== client.id) return failure(state, 'invalid_grant', 'Invalid authorization code');
  if (code.used) {
    // A replayed code may be a stolen one: the tokens issued for it stop working (RFC 6749 §4.1.2).
    if (code.grant) state.tokens.revokeGrant(code.grant);
    return failure(state, 'invalid_grant', 'Invalid authorization code');
  }
  code.used = true;
  if (state.clock.now() >= code.expiresAt) return failure(state, 'invalid_grant', 'Authorization code expired');
  if (params.redirect_uri !== code.redirectUri) return failure(state, 'invalid_grant', 'Invalid redirect URI');
  if (code.codeChallenge) {
    if (!params.code_verifier) return failure(state, 'invalid_request', 'code_verifier must be supplied');
    const challenge = createHash('sha256').update(params.code_verifier).digest('base64url');
    if (!same(challenge, code.codeChallenge)) return failure(state, 'invalid_grant', 'code_verifier was incorrect');
  } else if (!client.authenticated) {
    return failure(state, 'invalid_client', 'Invalid client secret');
  }
  const grant = state.tokens.createGrant({ clientId: client.id, userId: code.userId, scopes: code.scopes, pkce: code.codeChallenge !== null });
  code.grant = grant;
  return { status: 200, body: { ...accessTokenFields(state, grant), refresh_token: issueRefreshToken(state, grant) } };
}

function refresh(state: EmulatorState, client: Client, params: Params): TokenReply {
  if (!params.refresh_token) return failure(state, 'invalid_request', 'refresh_token must be supplied');
  const check = state.tokens.checkRefreshToken(params.refresh_token, client.id);
  if (!check.ok) {
    const reason = { unknown: 'Invalid refresh token', rotated: 'Invalid refresh token', revoked: 'Refresh token revoked', expired: 'Refresh token expired' }[check.reason];
    return failure(state, 'invalid_grant', reason);
  }
  const { grant } = check;
  if (!grant.pkce && !client.authenticated) return failure(state, 'invalid_client', 'Invalid client secret');
  const body: Record<string, unknown> = accessTokenFields(state, grant);
  // Spotify's refresh answers do not always carry a refresh token; when one is absent, the old one stays valid.
  if (state.omitRefreshTokenRate > 0 && state.tokenRng.chance(state.omitRefreshTokenRate)) {
    state.stats.countOAuth('refresh_token_omitted');
  } else {
    body.refresh_token = issueRefreshToken(state, grant);
    if (grant.pkce) {
      state.tokens.rotate(params.refresh_token);
      state.stats.countOAuth('refresh_token_rotated');
    }
  }
  return { status: 200, body };
}

function accessTokenFields(state: EmulatorState, grant: Grant): Record<string, unknown> {
  const token = state.tokens.issueAccessToken(grant);
  state.stats.countOAuth('access_token_issued');
  return { access_token: token.token, token_type: 'Bearer', expires_in: state.tokens.accessTokenTtlSeconds, scope: grant.scopes.join(' ') };
}

function issueRefreshToken(state: EmulatorState, grant: Grant): string {
  state.stats.countOAuth('refresh_token_issued');
  return state.tokens.issueRefreshToken(grant);
}

function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
