import type { Request, Response } from 'express';
import type { EmulatorState } from './emulator-state.js';
import { errorPage, loginPage } from './login-page.js';
import { KNOWN_SCOPES } from './spotify-scopes.js';

/**
 * `GET /authorize`. Non-interactive for tests: `user=<id>` approves as that user, `deny=1` refuses;
 * without either, a browser gets a page listing the synthetic users.
 */
export function authorize(state: EmulatorState, req: Request, res: Response): void {
  const query = new URLSearchParams(req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '');
  const param = (name: string) => query.get(name) ?? undefined;

  if (param('client_id') !== state.client.id) {
    res.status(400).type('html').send(errorPage('INVALID_CLIENT: Invalid client'));
    return;
  }
  const redirectUri = param('redirect_uri');
  if (!redirectUri || !redirectAllowed(state, redirectUri)) {
    res.status(400).type('html').send(errorPage('INVALID_CLIENT: Invalid redirect URI'));
    return;
  }

  const oauthState = param('state');
  const redirect = (values: Record<string, string>) => {
    const target = new URL(redirectUri);
    for (const [key, value] of Object.entries(values)) target.searchParams.set(key, value);
    if (oauthState !== undefined) target.searchParams.set('state', oauthState);
    res.redirect(302, target.toString());
  };

  if (param('response_type') !== 'code') return redirect({ error: 'unsupported_response_type' });
  const scopes = [...new Set((param('scope') ?? '').split(/[\s+]+/).filter(Boolean))];
  if (scopes.some((scope) => !KNOWN_SCOPES.has(scope))) return redirect({ error: 'invalid_scope' });
  const challenge = param('code_challenge');
  const method = param('code_challenge_method');
  if (challenge !== undefined || method !== undefined) {
    if (method !== 'S256') return redirect({ error: 'invalid_request', error_description: 'code_challenge_method must be S256' });
    if (!challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) return redirect({ error: 'invalid_request', error_description: 'code_challenge must be a base64url SHA-256 digest' });
  }

  if (param('deny') === '1') {
    state.stats.countOAuth('access_denied');
    return redirect({ error: 'access_denied' });
  }
  const userId = param('user');
  if (userId === undefined) {
    res.status(200).type('html').send(loginPage(state.listeners.list(), query, state.client.id));
    return;
  }
  if (!state.listeners.get(userId)) {
    res.status(404).type('html').send(loginPage(state.listeners.list(), withoutUser(query), state.client.id, `No synthetic user "${userId}".`));
    return;
  }
  const code = state.tokens.issueCode({ clientId: state.client.id, userId, redirectUri, scopes, codeChallenge: challenge ?? null });
  state.stats.countOAuth('code_issued');
  redirect({ code: code.code });
}

function redirectAllowed(state: EmulatorState, uri: string): boolean {
  if (state.redirectUris.length > 0) return state.redirectUris.includes(uri);
  try {
    const { protocol } = new URL(uri);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function withoutUser(query: URLSearchParams): URLSearchParams {
  const copy = new URLSearchParams(query);
  copy.delete('user');
  return copy;
}
