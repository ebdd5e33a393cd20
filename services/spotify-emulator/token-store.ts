import { randomBytes } from 'node:crypto';
import type { EmulatorClock } from './clock.js';

/** One user's authorisation of the client: what every token issued from one login shares. */
export interface Grant {
  id: number;
  clientId: string;
  userId: string;
  scopes: string[];
  /** Obtained with PKCE: its refresh tokens are single-use. */
  pkce: boolean;
  authorizedAt: number;
  /** Refresh tokens stop working here; refreshing does not move it (Spotify, since 2026). */
  refreshExpiresAt: number;
  /** Set when the user's refresh tokens were revoked or the code was replayed. */
  revokedAt: number | null;
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge: string | null;
  expiresAt: number;
  used: boolean;
  /** The grant the code was exchanged for (revoked if the code is replayed). */
  grant: Grant | null;
}

export interface AccessToken {
  token: string;
  grant: Grant;
  expiresAt: number;
}

interface RefreshToken {
  token: string;
  grant: Grant;
  rotated: boolean;
}

export type AccessCheck = { ok: true; token: AccessToken } | { ok: false; reason: 'unknown' | 'expired' };
export type RefreshCheck = { ok: true; grant: Grant } | { ok: false; reason: 'unknown' | 'rotated' | 'revoked' | 'expired' };

/** Every secret the emulator issued or received, for tests that grep logs for leaks. */
export interface IssuedSecrets {
  clientSecret: string;
  authorizationCodes: string[];
  accessTokens: string[];
  refreshTokens: string[];
  codeVerifiers: string[];
}

/** Spotify's tokens are long opaque strings with a two-letter prefix; ours look alike. */
const opaque = (prefix: string, bytes: number) => prefix + randomBytes(bytes).toString('base64url');

/** Authorisation codes, grants and tokens, in memory. Times come from the emulator clock. */
export class TokenStore {
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly grants: Grant[] = [];
  private readonly verifiers: string[] = [];

  constructor(
    private readonly clock: EmulatorClock,
    private readonly settings: { accessTokenTtlSeconds: number; refreshTokenLifetimeSeconds: number; codeTtlSeconds: number; clientSecret: string },
  ) {}

  issueCode(input: Omit<AuthorizationCode, 'code' | 'expiresAt' | 'used' | 'grant'>): AuthorizationCode {
    const code: AuthorizationCode = {
      ...input,
      code: opaque('AQ', 96),
      expiresAt: this.clock.now() + this.settings.codeTtlSeconds * 1000,
      used: false,
      grant: null,
    };
    this.codes.set(code.code, code);
    return code;
  }

  findCode(code: string): AuthorizationCode | undefined {
    return this.codes.get(code);
  }

  createGrant(input: Pick<Grant, 'clientId' | 'userId' | 'scopes' | 'pkce'>): Grant {
    const now = this.clock.now();
    const grant: Grant = {
      ...input,
      id: this.grants.length + 1,
      authorizedAt: now,
      refreshExpiresAt: now + this.settings.refreshTokenLifetimeSeconds * 1000,
      revokedAt: null,
    };
    this.grants.push(grant);
    return grant;
  }

  issueAccessToken(grant: Grant): AccessToken {
    const token: AccessToken = { token: opaque('BQ', 132), grant, expiresAt: this.clock.now() + this.settings.accessTokenTtlSeconds * 1000 };
    this.accessTokens.set(token.token, token);
    return token;
  }

  issueRefreshToken(grant: Grant): string {
    const token = opaque('AQ', 99);
    this.refreshTokens.set(token, { token, grant, rotated: false });
    return token;
  }

  get accessTokenTtlSeconds(): number {
    return this.settings.accessTokenTtlSeconds;
  }

  checkAccessToken(token: string): AccessCheck {
    const record = this.accessTokens.get(token);
    if (!record || record.grant.revokedAt !== null) return { ok: false, reason: 'unknown' };
    if (this.clock.now() >= record.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, token: record };
  }

  checkRefreshToken(token: string, clientId: string): RefreshCheck {
    const record = this.refreshTokens.get(token);
    if (!record || record.grant.clientId !== clientId) return { ok: false, reason: 'unknown' };
    if (record.grant.revokedAt !== null) return { ok: false, reason: 'revoked' };
    if (record.rotated) return { ok: false, reason: 'rotated' };
    if (this.clock.now() >= record.grant.refreshExpiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, grant: record.grant };
  }

  /** A used refresh token of a PKCE grant stops working. */
  rotate(token: string): void {
    const record = this.refreshTokens.get(token);
    if (record) record.rotated = true;
  }

  revokeGrant(grant: Grant): void {
    grant.revokedAt ??= this.clock.now();
  }

  /** Revokes every grant of a user (as when they remove the app's access); returns how many. */
  revokeUser(userId: string): number {
    const grants = this.grants.filter((grant) => grant.userId === userId && grant.revokedAt === null);
    for (const grant of grants) this.revokeGrant(grant);
    return grants.length;
  }

  /** Makes every live access token of a user expired now; returns how many. */
  expireAccessTokens(userId: string): number {
    const now = this.clock.now();
    let count = 0;
    for (const token of this.accessTokens.values()) {
      if (token.grant.userId === userId && token.expiresAt > now) {
        token.expiresAt = now;
        count++;
      }
    }
    return count;
  }

  grantsOf(userId: string): Grant[] {
    return this.grants.filter((grant) => grant.userId === userId).map((grant) => ({ ...grant }));
  }

  recordVerifier(verifier: string): void {
    this.verifiers.push(verifier);
  }

  secrets(): IssuedSecrets {
    return {
      clientSecret: this.settings.clientSecret,
      authorizationCodes: [...this.codes.keys()],
      accessTokens: [...this.accessTokens.keys()],
      refreshTokens: [...this.refreshTokens.keys()],
      codeVerifiers: [...this.verifiers],
    };
  }
}
