import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tokenCryptoEnv, runtimeEnv } from '../../services/shared/config/env-schema.js';
import { ConfigError, loadConfig } from '../../services/shared/config/load-config.js';
import { isPublishedKey } from '../../services/shared/crypto/published-keys.js';
import { generateEncryptionKey } from '../../services/shared/crypto/token-cipher.js';

/** The probe's finding: production started with the public development key of .env.example and said nothing. */
const ROOT = new URL('../..', import.meta.url).pathname;
const DEV_KEY = /^TOKEN_ENCRYPTION_KEYS=(.+)$/m.exec(readFileSync(`${ROOT}.env.example`, 'utf8'))![1]!;

/** Every `id:base64` value of a 32-byte key in the repository's files (hash lists of Go modules aside; a tracked file deleted in the working tree has none). */
function keysInRepository(): Array<{ file: string; key: Buffer }> {
  const files = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\0').filter((file) => file && existsSync(`${ROOT}${file}`) && !/(^|\/)(go\.sum|package-lock\.json)$|\.(png|jpg|parquet|zip)$/.test(file));
  return files.flatMap((file) => {
    const text = readFileSync(`${ROOT}${file}`, 'utf8');
    return [...text.matchAll(/[A-Za-z0-9_-]{1,32}:([A-Za-z0-9+/]{43}=)/g)].map((match) => ({ file, key: Buffer.from(match[1]!, 'base64') })).filter(({ key }) => key.length === 32);
  });
}

const load = (env: Record<string, string>) => loadConfig({ ...runtimeEnv, ...tokenCryptoEnv }, env);

describe('encryption keys published in the repository', () => {
  it('are every one of them known as published', () => {
    const found = keysInRepository();
    expect(found.length).toBeGreaterThan(0);
    for (const { file, key } of found) expect(isPublishedKey(key), `a key in ${file} is not in services/shared/crypto/published-keys.ts`).toBe(true);
  });

  it('are refused with NODE_ENV=production, naming the variable and the key id, never the key', () => {
    for (const keys of [DEV_KEY, `${generateEncryptionKey()},${DEV_KEY}`]) {
      let error: unknown;
      try {
        load({ NODE_ENV: 'production', TOKEN_ENCRYPTION_KEYS: keys });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/TOKEN_ENCRYPTION_KEYS is invalid: key "dev" is published in Playlog's repository/);
      expect((error as Error).message).not.toContain(DEV_KEY.split(':')[1]);
    }
  });

  it('are accepted in development and tests, and a generated key is accepted in production', () => {
    expect(load({ NODE_ENV: 'development', TOKEN_ENCRYPTION_KEYS: DEV_KEY }).TOKEN_ENCRYPTION_KEYS[0]!.id).toBe('dev');
    expect(load({ NODE_ENV: 'production', TOKEN_ENCRYPTION_KEYS: generateEncryptionKey() }).TOKEN_ENCRYPTION_KEYS).toHaveLength(1);
  });

  it('stop a production process at start-up with one line that says why', () => {
    const result = spawnSync('sh', [`${ROOT}scripts/playlog`, 'rotate-key'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', TOKEN_ENCRYPTION_KEYS: DEV_KEY, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('TOKEN_ENCRYPTION_KEYS is invalid: key "dev" is published');
  });
});
