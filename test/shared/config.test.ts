import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../services/shared/config/load-config.js';
import { databaseEnv, redisEnv, runtimeEnv, spotifyEnv, tokenCryptoEnv } from '../../services/shared/config/env-schema.js';
import { newEncryptionKeys } from '../support/test-env.js';
import { PLAYLOG } from '../support/playlog.js';

const workerLikeShape = { ...runtimeEnv, ...databaseEnv, ...redisEnv, ...tokenCryptoEnv, ...spotifyEnv };
const validEnv = { TOKEN_ENCRYPTION_KEYS: newEncryptionKeys(), SPOTIFY_CLIENT_ID: 'id', SPOTIFY_CLIENT_SECRET: 'secret' };

function runMigrate(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', [PLAYLOG, 'migrate'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('configuration', () => {
  it('applies documented defaults', () => {
    const config = loadConfig(workerLikeShape, validEnv);
    expect(config.SPOTIFY_ACCOUNTS_URL).toBe('https://accounts.spotify.com');
    expect(config.SPOTIFY_API_URL).toBe('https://api.spotify.com/v1');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names a missing encryption key', () => {
    const { TOKEN_ENCRYPTION_KEYS: _omitted, ...env } = validEnv;
    expect(() => loadConfig(workerLikeShape, env)).toThrow(/TOKEN_ENCRYPTION_KEYS is missing/);
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig(workerLikeShape, { ...validEnv, DATABASE_URL: 'mysql://x/y', SPOTIFY_API_URL: 'not a url', DATABASE_POOL_MAX: '-3' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toMatch(/DATABASE_URL is invalid/);
      expect(message).toMatch(/SPOTIFY_API_URL is invalid/);
      expect(message).toMatch(/DATABASE_POOL_MAX is invalid/);
    }
  });

  it('stops a process started with a bad DATABASE_URL with one line naming it', async () => {
    const { code, stderr } = await runMigrate({ DATABASE_URL: 'postgres://localhost' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/DATABASE_URL is invalid: must name a database/);
  });

  it('names DATABASE_URL when Postgres cannot be reached, without printing its password', async () => {
    const { code, stderr } = await runMigrate({ DATABASE_URL: 'postgres://playlog:hunter2-secret@127.0.0.1:1/playlog' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot connect to Postgres at DATABASE_URL \(127\.0\.0\.1:1\/playlog\)/);
    expect(stderr).not.toContain('hunter2-secret');
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
    try {
      loadConfig(workerLikeShape, { ...withoutKeys, TOKEN_ENCRYPTION_KEYS_FILE: missing });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toBe(`Invalid configuration: TOKEN_ENCRYPTION_KEYS_FILE is invalid: cannot read ${missing} (ENOENT)`);
    }
  });

  it('is ignored for a variable that holds no secret', () => {
    expect(loadConfig(workerLikeShape, { ...validEnv, LOG_LEVEL_FILE: file('log-level', 'debug\n') }).LOG_LEVEL).toBe('info');
    expect(loadConfig(workerLikeShape, { ...validEnv, QUEUE_PREFIX_FILE: join(dir, 'missing') }).QUEUE_PREFIX).toBe('playlog');
  });
});

describe('.env', () => {
  // `--import tsx` resolved from the repository, since the process runs elsewhere.
  const tsx = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;
  const scheduler = new URL('../../services/scheduler/main.ts', import.meta.url).pathname;

  /** The scheduler started in a directory holding this .env, as `npm run start:scheduler` would be. */
  function startIn(dotEnv: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'playlog-dotenv-'));
    writeFileSync(join(dir, '.env'), dotEnv);
    return new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', tsx, scheduler], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += String(chunk)));
      child.on('exit', (code) => {
        rmSync(dir, { recursive: true, force: true });
        resolve({ code, stderr });
      });
    });
  }
  const unreachable = { DATABASE_URL: 'postgres://playlog:playlog@127.0.0.1:1/playlog', REDIS_URL: 'redis://127.0.0.1:1' };

  it('is read in development (the default), with the environment winning over it', async () => {
    const fromFile = await startIn('POLL_INTERVAL_SECONDS=5\n', unreachable);
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toMatch(/POLL_INTERVAL_SECONDS is invalid/);
    const overridden = await startIn('POLL_INTERVAL_SECONDS=5\n', { ...unreachable, POLL_INTERVAL_SECONDS: '60' });
    expect(overridden.code).toBe(1);
    expect(overridden.stderr).not.toMatch(/POLL_INTERVAL_SECONDS/);
    expect(overridden.stderr).toMatch(/cannot connect to Postgres/);
  });

  it('is not read in production, nor in tests', async () => {
    for (const mode of ['production', 'test']) {
      const started = await startIn('POLL_INTERVAL_SECONDS=5\n', { ...unreachable, NODE_ENV: mode });
      expect(started.stderr, mode).not.toMatch(/POLL_INTERVAL_SECONDS/);
      expect(started.stderr, mode).toMatch(/cannot connect to Postgres/);
    }
  });
});
