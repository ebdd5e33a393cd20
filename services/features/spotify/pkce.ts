import * as oidc from 'openid-client';

export interface PkcePair {
  /** Secret: keep it server-side (e.g. in the login state), send it only to the token endpoint. */
  codeVerifier: string;
  /** Public: goes into the login URL. */
  codeChallenge: string;
}

/** A fresh PKCE verifier and its S256 challenge, plus helpers for the `state` parameter. */
export async function newPkcePair(): Promise<PkcePair> {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  return { codeVerifier, codeChallenge: await oidc.calculatePKCECodeChallenge(codeVerifier) };
}

/** An unguessable value for the OAuth `state` parameter. */
export const newOAuthState = (): string => oidc.randomState();
