import { EntitySchema } from '@mikro-orm/core';
import type { User } from './user.entity.js';

/** A user's Spotify tokens. Token columns hold TokenCipher ciphertext, never plaintext. */
export class SpotifyCredentials {
  user!: User;
  accessTokenEncrypted!: string;
  refreshTokenEncrypted!: string;
  accessTokenExpiresAt!: Date;
  scopes: string[] = [];
  /** Key id of the current ciphertexts, so key rotation can find rows still on an old key. */
  keyId!: string;
  /** When the user first authorised the app: Spotify refresh tokens die six months later. */
  authorizedAt!: Date;
  updatedAt: Date = new Date();
}

export const SpotifyCredentialsSchema = new EntitySchema<SpotifyCredentials>({
  class: SpotifyCredentials,
  tableName: 'spotify_credentials',
  // Users near their re-authorisation deadline, for the worker's gauge (Migration20261203120000).
  indexes: [{ name: 'spotify_credentials_authorized_at_index', properties: ['authorizedAt'] }],
  properties: {
    user: { kind: '1:1', entity: 'User', primary: true, owner: true, deleteRule: 'cascade', fieldName: 'user_id' },
    accessTokenEncrypted: { type: 'string', columnType: 'text' },
    refreshTokenEncrypted: { type: 'string', columnType: 'text' },
    accessTokenExpiresAt: { type: 'Date', columnType: 'timestamptz' },
    scopes: { type: 'string[]', columnType: 'text[]', defaultRaw: `'{}'` },
    keyId: { type: 'string', columnType: 'text' },
    authorizedAt: { type: 'Date', columnType: 'timestamptz' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() },
  },
});
