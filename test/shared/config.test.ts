import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../services/shared/config/load-config.js';
import { databaseEnv, redisEnv, runtimeEnv, spotifyEnv, tokenCryptoEnv } from '../../services/shared/config/env-schema.js';
import { newEncryptionKeys } from '../support/test-env.js';

const workerLikeShape = { ...runtimeEnv, ...databaseEnv, ...redisEnv, ...tokenCryptoEnv, ...spotifyEnv };
const validEnv = { TOKEN_ENCRYPTION_KEYS: newEncryptionKeys(), SPOTIFY_CLIENT_ID: 'id', SPOTIFY_CLIENT_SECRET: 'secret' };

function runMigrate(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/shared/db/migrate.ts'], {
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
