import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { databaseEnv, redisEnv, runtimeEnv, spotifyEnv, tokenCryptoEnv } from '../../../../services/shared/config/env-schema.js';
import { ConfigError, loadConfig } from '../../../../services/shared/config/load-config.js';
import { newEncryptionKeys } from '../../../support/test-env.js';

const workerLikeShape = { ...runtimeEnv, ...databaseEnv, ...redisEnv, ...tokenCryptoEnv, ...spotifyEnv };
const validEnv = { TOKEN_ENCRYPTION_KEYS: newEncryptionKeys(), SPOTIFY_CLIENT_ID: 'id', SPOTIFY_CLIENT_SECRET: 'secret' };

/** The ConfigError loading `env` raises. */
function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(workerLikeShape, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('applies documented defaults', () => {
    const config = loadConfig(workerLikeShape, validEnv);
    expect(config.SPOTIFY_ACCOUNTS_URL).toBe('https://accounts.spotify.com');
    expect(config.SPOTIFY_API_URL).toBe('https://api.spotify.com/v1');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes an empty variable (`FOO=` in a .env file) as unset: its default applies, or it is missing', () => {
    expect(loadConfig(workerLikeShape, { ...validEnv, DATABASE_POOL_MAX: '', LOG_LEVEL: '  ' })).toMatchObject({ DATABASE_POOL_MAX: 10, LOG_LEVEL: 'info' });
    expect(refusal({ ...validEnv, SPOTIFY_CLIENT_ID: '' }).problems).toEqual([expect.stringMatching(/^SPOTIFY_CLIENT_ID is missing: /)]);
  });

  it('names a missing encryption key', () => {
    const { TOKEN_ENCRYPTION_KEYS: _omitted, ...env } = validEnv;
    expect(() => loadConfig(workerLikeShape, env)).toThrow(/TOKEN_ENCRYPTION_KEYS is missing/);
  });

  it('names every bad variable at once', () => {
    const error = refusal({ ...validEnv, DATABASE_URL: 'mysql://x/y', SPOTIFY_API_URL: 'not a url', DATABASE_POOL_MAX: '-3' });
    const message = error.message;
    expect(message).toMatch(/^Invalid configuration: /);
    expect(message).toMatch(/DATABASE_URL is invalid/);
    expect(message).toMatch(/SPOTIFY_API_URL is invalid/);
    expect(message).toMatch(/DATABASE_POOL_MAX is invalid/);
    expect(error.problems).toHaveLength(3);
  });

  it('says what a bad value should be, and never prints a secret it was given', () => {
    const error = refusal({ ...validEnv, DATABASE_URL: 'postgres://playlog:hunter2-secret@db.internal:5432', TOKEN_ENCRYPTION_KEYS: 'k1:hunter3-secret' });
    expect(error.message).toContain('DATABASE_URL is invalid: must name a database: postgres://user:password@host:5432/<database>');
    expect(error.message).toMatch(/TOKEN_ENCRYPTION_KEYS is invalid: /);
    expect(error.message).not.toMatch(/hunter2|hunter3/);
  });
});

describe('a secret from a file (<NAME>_FILE)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'playlog-secret-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
  const keys = newEncryptionKeys('from-file');

  it('is read when the variable is unset or empty, without its final newline, and checked like the variable', () => {
    const keysFile = file('keys', `${keys}\n`);
    const urlFile = file('database-url', 'postgres://playlog:s3cret@db.internal:5432/playlog\r\n');
    const config = loadConfig(workerLikeShape, { ...validEnv, TOKEN_ENCRYPTION_KEYS: '', TOKEN_ENCRYPTION_KEYS_FILE: keysFile, DATABASE_URL_FILE: urlFile });
    expect(config.TOKEN_ENCRYPTION_KEYS.map((key) => key.id)).toEqual(['from-file']);
    expect(config.DATABASE_URL).toBe('postgres://playlog:s3cret@db.internal:5432/playlog');
    const { TOKEN_ENCRYPTION_KEYS: _unset, ...withoutKeys } = validEnv;
    expect(loadConfig(workerLikeShape, { ...withoutKeys, TOKEN_ENCRYPTION_KEYS_FILE: keysFile }).TOKEN_ENCRYPTION_KEYS.map((key) => key.id)).toEqual(['from-file']);
    expect(() => loadConfig(workerLikeShape, { ...withoutKeys, TOKEN_ENCRYPTION_KEYS_FILE: file('not-a-key', 'nope\n') })).toThrow(/TOKEN_ENCRYPTION_KEYS is invalid/);
  });

  it('gives way to the variable itself when that is set (the file is then not even read)', () => {
    const config = loadConfig(workerLikeShape, { ...validEnv, TOKEN_ENCRYPTION_KEYS_FILE: file('other-keys', newEncryptionKeys('other')), DATABASE_URL_FILE: join(dir, 'missing'), DATABASE_URL: 'postgres://a@b:5432/c' });
    expect(config.TOKEN_ENCRYPTION_KEYS.map((key) => key.id)).toEqual(['test']);
    expect(config.DATABASE_URL).toBe('postgres://a@b:5432/c');
  });

  it('that cannot be read is a configuration error naming <NAME>_FILE and the path', () => {
    const { TOKEN_ENCRYPTION_KEYS: _unset, ...withoutKeys } = validEnv;
    const missing = join(dir, 'no-such-key-file');
    expect(refusal({ ...withoutKeys, TOKEN_ENCRYPTION_KEYS_FILE: missing }).message).toBe(`Invalid configuration: TOKEN_ENCRYPTION_KEYS_FILE is invalid: cannot read ${missing} (ENOENT)`);
  });

  it('is ignored for a variable that holds no secret', () => {
    expect(loadConfig(workerLikeShape, { ...validEnv, LOG_LEVEL_FILE: file('log-level', 'debug\n') }).LOG_LEVEL).toBe('info');
    expect(loadConfig(workerLikeShape, { ...validEnv, QUEUE_PREFIX_FILE: join(dir, 'missing') }).QUEUE_PREFIX).toBe('playlog');
  });
});
