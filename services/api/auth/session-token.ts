import { createHash, randomBytes } from 'node:crypto';

/**
 * Session tokens are opaque random strings (32 bytes, base64url). The database keeps only their
 * SHA-256: a leaked database yields no usable token, and a plain hash suffices because the token has
 * 256 bits of entropy (nothing to brute-force, so no slow hash or salt is needed).
 */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A token as newSessionToken makes them: anything else is refused before a database look-up. */
export function looksLikeSessionToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}
