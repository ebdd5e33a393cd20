import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenCipher, TokenCipherError, parseEncryptionKeys } from '../../services/shared/crypto/token-cipher.js';
import { loadCredentials, saveCredentials } from '../../services/features/accounts/data/credentials.repository.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertUser } from '../support/plays.js';
import { newEncryptionKeys } from '../support/test-env.js';

const cipherWith = (spec: string) => new TokenCipher(parseEncryptionKeys(spec));

describe('TokenCipher', () => {
  const cipher = cipherWith(newEncryptionKeys('k1'));

  it('round-trips a token', () => {
    const encrypted = cipher.encrypt('BQD-access-token-value', 'ctx');
    expect(encrypted).not.toContain('BQD-access-token-value');
    expect(cipher.decrypt(encrypted, 'ctx')).toBe('BQD-access-token-value');
  });

  it('rejects a ciphertext with one flipped byte', () => {
    const encrypted = cipher.encrypt('secret-token', 'ctx');
    const parts = encrypted.split('.');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0] = body[0]! ^ 0x01;
    parts[4] = body.toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'), 'ctx')).toThrow(/tampered/);
  });

  it('rejects a ciphertext moved to another row (context)', () => {
    const encrypted = cipher.encrypt('secret-token', 'spotify_credentials:alice:refresh_token');
    expect(() => cipher.decrypt(encrypted, 'spotify_credentials:bob:refresh_token')).toThrow(TokenCipherError);
  });

  it('rejects a wrong key with the same id, and names an unknown key id', () => {
    const encrypted = cipher.encrypt('secret-token', 'ctx');
    expect(() => cipherWith(newEncryptionKeys('k1')).decrypt(encrypted, 'ctx')).toThrow(/failed authentication with key "k1"/);
    expect(() => cipherWith(newEncryptionKeys('k2')).decrypt(encrypted, 'ctx')).toThrow(/key "k1", which is not configured in TOKEN_ENCRYPTION_KEYS/);
  });

  it('decrypts with an old key after rotation and encrypts with the new one', () => {
    const oldSpec = newEncryptionKeys('old');
    const before = cipherWith(oldSpec).encrypt('secret-token', 'ctx');
    const rotated = cipherWith(`${newEncryptionKeys('new')},${oldSpec}`);
    expect(rotated.decrypt(before, 'ctx')).toBe('secret-token');
    expect(rotated.needsReencryption(before)).toBe(true);
    expect(rotated.needsReencryption(rotated.encrypt('secret-token', 'ctx'))).toBe(false);
  });

  it('explains a malformed key configuration without printing the key', () => {
    expect(() => parseEncryptionKeys('k1:c2hvcnQ=')).toThrow(/key "k1" must be 32 bytes/);
    expect(() => parseEncryptionKeys('nokeyid')).toThrow(/key id/);
    const key = newEncryptionKeys('dup').split(':')[1]!;
    expect(() => parseEncryptionKeys(`dup:${key},dup:${key}`)).toThrow(/appears twice/);
  });
});

describe('stored credentials', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('credentials');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('never holds a plaintext token in the database, and reads back what was saved', async () => {
    const cipher = cipherWith(newEncryptionKeys('k1'));
    const userId = await insertUser(db.sql, 'token-owner');
    const tokens = {
      accessToken: 'BQAccessTokenPlaintext123',
      refreshToken: 'AQRefreshTokenPlaintext456',
      accessTokenExpiresAt: new Date('2026-11-23T13:00:00.000Z'),
      scopes: ['user-read-recently-played', 'user-read-private'],
    };

    await saveCredentials(db.orm.em.fork(), cipher, userId, tokens, new Date('2026-11-23T12:00:00.000Z'));

    const raw = await db.sql.query('select * from spotify_credentials where user_id = $1', [userId]);
    const rowText = JSON.stringify(raw.rows[0]);
    expect(rowText).not.toContain('AccessTokenPlaintext');
    expect(rowText).not.toContain('RefreshTokenPlaintext');
    expect(raw.rows[0].key_id).toBe('k1');
    expect(await loadCredentials(db.orm.em.fork(), cipher, userId)).toEqual({ ...tokens, authorizedAt: new Date('2026-11-23T12:00:00.000Z') });
  });

  it('keeps the first authorisation time when tokens are refreshed', async () => {
    const cipher = cipherWith(newEncryptionKeys('k1'));
    const userId = await insertUser(db.sql, 'refresher');
    const tokens = { accessToken: 'a1', refreshToken: 'r1', accessTokenExpiresAt: new Date(), scopes: [] };
    await saveCredentials(db.orm.em.fork(), cipher, userId, tokens, new Date('2026-06-01T00:00:00.000Z'));

    await saveCredentials(db.orm.em.fork(), cipher, userId, { ...tokens, accessToken: 'a2', refreshToken: 'r2' });

    const stored = await loadCredentials(db.orm.em.fork(), cipher, userId);
    expect(stored).toMatchObject({ accessToken: 'a2', refreshToken: 'r2', authorizedAt: new Date('2026-06-01T00:00:00.000Z') });
  });
});
