import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenCipher } from '../crypto/token-cipher.js';

export interface SpotifyTokens {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: Date;
  scopes: string[];
}

export interface StoredCredentials extends SpotifyTokens {
  authorizedAt: Date;
}

const context = (userId: string, column: 'access_token' | 'refresh_token') => `spotify_credentials:${userId}:${column}`;

/**
 * Stores a user's tokens encrypted (upsert: repeating it is harmless). `authorizedAt` is the moment of
 * the user's authorisation: set on login, kept on refresh, since refreshing does not extend a Spotify
 * refresh token's life.
 */
export async function saveCredentials(
  em: EntityManager,
  cipher: TokenCipher,
  userId: string,
  tokens: SpotifyTokens,
  authorizedAt?: Date,
): Promise<void> {
  await em.getConnection().execute(
    `insert into spotify_credentials (user_id, access_token_encrypted, refresh_token_encrypted, access_token_expires_at, scopes, key_id, authorized_at, updated_at)
     values (?, ?, ?, ?, string_to_array(?, ' '), ?, coalesce(?::timestamptz, now()), now())
     on conflict (user_id) do update set
       access_token_encrypted = excluded.access_token_encrypted,
       refresh_token_encrypted = excluded.refresh_token_encrypted,
       access_token_expires_at = excluded.access_token_expires_at,
       scopes = excluded.scopes,
       key_id = excluded.key_id,
       authorized_at = coalesce(?::timestamptz, spotify_credentials.authorized_at),
       updated_at = now()`,
    [
      userId,
      cipher.encrypt(tokens.accessToken, context(userId, 'access_token')),
      cipher.encrypt(tokens.refreshToken, context(userId, 'refresh_token')),
      tokens.accessTokenExpiresAt.toISOString(),
      // OAuth scopes are space-separated tokens; a JS array would be expanded into a value list by knex.
      tokens.scopes.join(' '),
      cipher.currentKeyId,
      authorizedAt?.toISOString() ?? null,
      authorizedAt?.toISOString() ?? null,
    ],
    'run',
    em.getTransactionContext(),
  );
}

/** The columns of `spotify_credentials` that `credentialsFromRow` decrypts. */
export interface CredentialsRow {
  access_token_encrypted: string;
  refresh_token_encrypted: string;
  access_token_expires_at: Date | string;
  scopes: string[];
  authorized_at: Date | string;
}

export async function loadCredentials(em: EntityManager, cipher: TokenCipher, userId: string): Promise<StoredCredentials | null> {
  const rows: CredentialsRow[] = await em
    .getConnection()
    .execute(
      'select access_token_encrypted, refresh_token_encrypted, access_token_expires_at, scopes, authorized_at from spotify_credentials where user_id = ?',
      [userId],
      'all',
      em.getTransactionContext(),
    );
  const row = rows[0];
  return row ? credentialsFromRow(cipher, userId, row) : null;
}

/** Decrypts a row read by any query that selects the `CredentialsRow` columns (the worker joins them with the user's state). */
export function credentialsFromRow(cipher: TokenCipher, userId: string, row: CredentialsRow): StoredCredentials {
  return {
    accessToken: cipher.decrypt(row.access_token_encrypted, context(userId, 'access_token')),
    refreshToken: cipher.decrypt(row.refresh_token_encrypted, context(userId, 'refresh_token')),
    accessTokenExpiresAt: new Date(row.access_token_expires_at),
    scopes: row.scopes,
    authorizedAt: new Date(row.authorized_at),
  };
}
