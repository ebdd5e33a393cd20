import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateCredentialsKey } from '../../services/features/accounts/rotate-key.js';
import { TokenCipher, parseEncryptionKeys } from '../../services/shared/crypto/token-cipher.js';
import { loadCredentials, saveCredentials } from '../../services/features/accounts/data/credentials.repository.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertUser } from '../support/plays.js';
import { PLAYLOG } from '../support/playlog.js';
import { newEncryptionKeys } from '../support/test-env.js';

const oldKey = newEncryptionKeys('old');
const newKey = newEncryptionKeys('new');
const cipher = (spec: string) => new TokenCipher(parseEncryptionKeys(spec));

function runRotateKey(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', [PLAYLOG, 'rotate-key'], {
      env: { PATH: process.env.PATH, LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('key rotation (playlog rotate-key)', () => {
  let db: TestDatabase;
  const users: string[] = [];
  const tokensOf = (i: number) => ({
    accessToken: `BQrotation-access-${i}`,
    refreshToken: `AQrotation-refresh-${i}`,
    accessTokenExpiresAt: new Date('2026-11-23T13:00:00.000Z'),
    scopes: ['user-read-recently-played'],
  });

  beforeAll(async () => {
    db = await createTestDatabase('rotate_key');
    for (let i = 0; i < 25; i++) {
      const userId = await insertUser(db.sql, `rotating${i}`);
      users.push(userId);
      await saveCredentials(db.orm.em.fork(), cipher(oldKey), userId, tokensOf(i), new Date('2026-11-01T00:00:00.000Z'));
    }
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('keeps old ciphertexts readable while both keys are configured, before any rotation', async () => {
    const both = cipher(`${newKey},${oldKey}`);
    expect(await loadCredentials(db.orm.em.fork(), both, users[0]!)).toMatchObject(tokensOf(0));
  });

  it('refuses to rotate, writing nothing, when the old key is missing from TOKEN_ENCRYPTION_KEYS', async () => {
    await expect(rotateCredentialsKey(db.orm.em.fork(), cipher(newKey))).rejects.toThrow(/key "old", which is not configured in TOKEN_ENCRYPTION_KEYS/);
    const { rows } = await db.sql.query(`select count(*)::int as n from spotify_credentials where key_id = 'old'`);
    expect(rows[0].n).toBe(25);
  });

  it('resumes an interrupted rotation, then re-encrypts every row with the new key; a second run changes nothing', async () => {
    const both = cipher(`${newKey},${oldKey}`);
    const first = await rotateCredentialsKey(db.orm.em.fork(), both, { batchSize: 4, maxRows: 10 });
    expect(first).toEqual({ rotated: 10, remaining: 15, keyId: 'new' });

    const before = await db.sql.query('select user_id, access_token_encrypted from spotify_credentials');
    const rest = await runRotateKey({ DATABASE_URL: db.url, TOKEN_ENCRYPTION_KEYS: `${newKey},${oldKey}` });
    expect(rest.code, rest.output).toBe(0);
    expect(rest.output).toContain('"rotated":15');
    expect(rest.output).toContain('"remaining":0');

    const after = await db.sql.query('select user_id, key_id, access_token_encrypted, refresh_token_encrypted from spotify_credentials');
    expect(after.rows.every((row) => row.key_id === 'new' && row.access_token_encrypted.startsWith('v1.new.') && row.refresh_token_encrypted.startsWith('v1.new.'))).toBe(true);
    // Rows rotated by the first run were not rewritten by the second.
    const unchanged = before.rows.filter((row) => row.access_token_encrypted.startsWith('v1.new.'));
    expect(unchanged).toHaveLength(10);
    for (const row of unchanged) expect(after.rows.find((r) => r.user_id === row.user_id)?.access_token_encrypted).toBe(row.access_token_encrypted);

    // Readable with the new key alone: the old one can go.
    for (const [i, userId] of users.entries()) {
      expect(await loadCredentials(db.orm.em.fork(), cipher(newKey), userId)).toMatchObject(tokensOf(i));
    }
    expect(JSON.stringify(after.rows)).not.toMatch(/rotation-(access|refresh)/);
    expect(rest.output).not.toMatch(/rotation-(access|refresh)/);

    expect(await rotateCredentialsKey(db.orm.em.fork(), cipher(newKey))).toEqual({ rotated: 0, remaining: 0, keyId: 'new' });
  });

  it('answers a bad TOKEN_ENCRYPTION_KEYS with one line, without printing the key', async () => {
    const result = await runRotateKey({ DATABASE_URL: db.url, TOKEN_ENCRYPTION_KEYS: 'new:c2hvcnQ=' });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/rotate-key: Invalid configuration: TOKEN_ENCRYPTION_KEYS is invalid: key "new" must be 32 bytes/);
    expect(result.output).not.toContain('c2hvcnQ=');
  });
});
