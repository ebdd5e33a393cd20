import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenCipher } from '../../../shared/crypto/token-cipher.js';
import { SpotifyCredentials } from './spotify-credentials.entity.js';

export interface SpotifyTokens {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: Date;
  scopes: string[];
}

export interface StoredCredentials extends SpotifyTokens {
  authorizedAt: Date;
}

/**
 * The additional authenticated data of a token's ciphertext: its row and column, so a ciphertext copied
 * onto another user's row or column does not decrypt. Defined here only: every encryption and
 * decryption of `spotify_credentials` (saving, reading, key rotation) goes through this module.
 */
export const credentialContext = (userId: string, column: 'access_token' | 'refresh_token') => `spotify_credentials:${userId}:${column}`;

/** The encrypted columns of a row, from plaintext tokens, with the cipher's current key. */
export function encryptTokens(cipher: TokenCipher, userId: string, tokens: Pick<SpotifyTokens, 'accessToken' | 'refreshToken'>) {
  return {
    accessTokenEncrypted: cipher.encrypt(tokens.accessToken, credentialContext(userId, 'access_token')),
    refreshTokenEncrypted: cipher.encrypt(tokens.refreshToken, credentialContext(userId, 'refresh_token')),
    keyId: cipher.currentKeyId,
  };
}

/** The encrypted columns of a stored row, and the row's other columns, as any reader of them holds them. */
export interface EncryptedCredentials {
  accessTokenEncrypted: string;
  refreshTokenEncrypted: string;
  accessTokenExpiresAt: Date;
  scopes: string[];
  authorizedAt: Date;
}

/** Decrypts a row read by any query of `spotify_credentials` (the poll context joins it with the user's state). */
export function decryptCredentials(cipher: TokenCipher, userId: string, row: EncryptedCredentials): StoredCredentials {
  return {
    accessToken: cipher.decrypt(row.accessTokenEncrypted, credentialContext(userId, 'access_token')),
    refreshToken: cipher.decrypt(row.refreshTokenEncrypted, credentialContext(userId, 'refresh_token')),
    accessTokenExpiresAt: row.accessTokenExpiresAt,
    scopes: row.scopes,
    authorizedAt: row.authorizedAt,
  };
}

/**
 * Stores a user's tokens encrypted (an upsert: repeating it is harmless). `authorizedAt` is the moment of
 * the user's authorisation: set on login, kept on refresh (pass none), since refreshing does not extend a
 * Spotify refresh token's life.
 */
export async function saveCredentials(em: EntityManager, cipher: TokenCipher, userId: string, tokens: SpotifyTokens, authorizedAt?: Date): Promise<void> {
  const now = new Date();
  const row = {
    user: userId,
    ...encryptTokens(cipher, userId, tokens),
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    scopes: tokens.scopes,
    updatedAt: now,
  };
  // An upsert (a first login has no row); a statement, so `updatedAt` is set here (onUpdate runs only in a flush).
  const merged = ['accessTokenEncrypted', 'refreshTokenEncrypted', 'accessTokenExpiresAt', 'scopes', 'keyId', 'updatedAt'] as const;
  await em
    .createQueryBuilder(SpotifyCredentials)
    .insert({ ...row, authorizedAt: authorizedAt ?? now })
    .onConflict('user')
    .merge(authorizedAt ? [...merged, 'authorizedAt'] : [...merged])
    .execute();
}

/**
 * The user's tokens, decrypted; null when none are stored. With `lock`, the row stays locked until the
 * caller's transaction ends (a token refresh holds it: two jobs of one user never spend one refresh token).
 */
export async function loadCredentials(em: EntityManager, cipher: TokenCipher, userId: string, options: { lock?: boolean } = {}): Promise<StoredCredentials | null> {
  const row = await em.findOne(
    SpotifyCredentials,
    { user: userId },
    // Always read from Postgres: under the lock the row may have changed since this EntityManager last saw it.
    { refresh: true, ...(options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {}) },
  );
  return row ? decryptCredentials(cipher, userId, row) : null;
}

/**
 * Re-encrypts up to `limit` rows whose ciphertexts are not on the cipher's current key, in the caller's
 * transaction; rows locked by someone else (a worker saving refreshed tokens, already on the current key)
 * are skipped. Both columns are decrypted before anything is written: when TOKEN_ENCRYPTION_KEYS lacks an
 * old key, decryption fails loudly, naming it, and the batch writes nothing. Returns how many it rotated.
 */
export async function reencryptCredentialsBatch(tx: EntityManager, cipher: TokenCipher, limit: number): Promise<number> {
  const rows = await tx.find(
    SpotifyCredentials,
    { keyId: { $ne: cipher.currentKeyId } },
    { orderBy: { user: 'asc' }, limit, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, refresh: true },
  );
  for (const row of rows) {
    const userId = row.user.id;
    const tokens = decryptCredentials(cipher, userId, row);
    Object.assign(row, encryptTokens(cipher, userId, tokens));
  }
  await tx.flush();
  return rows.length;
}

/** Credential rows still on a key other than `keyId`. */
export function countCredentialsOnOtherKeys(em: EntityManager, keyId: string): Promise<number> {
  return em.count(SpotifyCredentials, { keyId: { $ne: keyId } });
}

/** Every credential row as stored (ciphertexts only), for checks that no token is kept in plaintext. */
export function listStoredCredentials(em: EntityManager): Promise<SpotifyCredentials[]> {
  return em.find(SpotifyCredentials, {}, { orderBy: { user: 'asc' } });
}
