import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../services/cli/commands.js';
import { tokenCryptoEnv } from '../../services/shared/config/env-schema.js';
import { loadConfig } from '../../services/shared/config/load-config.js';
import { TokenCipher, parseEncryptionKeys } from '../../services/shared/crypto/token-cipher.js';
import { runPlaylog } from '../support/playlog.js';

/** `playlog <command>`: what an operator sees of the one program (the services' own behaviour is tested elsewhere). */

describe('playlog help', () => {
  it('lists every command of the registry with its summary, services apart from operator tasks', async () => {
    const help = await runPlaylog(['help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stderr).toBe('');
    const [servicesPart = '', tasksPart = ''] = help.stdout.split(/^operator tasks:$/m);
    expect(servicesPart).toMatch(/^services:$/m);
    for (const command of COMMANDS) {
      const line = new RegExp(`^  ${command.name} +${command.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm');
      expect(command.kind === 'service' ? servicesPart : tasksPart, `${command.name} (${command.kind})`).toMatch(line);
    }
    // `--help` and `-h` are the same request.
    for (const flag of ['--help', '-h']) expect((await runPlaylog([flag])).stdout).toBe(help.stdout);
  });
});

describe('playlog generate-key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'playlog-generate-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a new key that TOKEN_ENCRYPTION_KEYS accepts, named for the day, different each time', async () => {
    const day = () => `key-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
    const before = day();
    const [first, second] = await Promise.all([runPlaylog(['generate-key']), runPlaylog(['generate-key'])]);
    expect(first!.code, first!.stderr).toBe(0);
    expect(first!.stdout).toMatch(/^[^\n]+\n$/);
    const key = first!.stdout.trim();
    const [parsed] = parseEncryptionKeys(key);
    expect([before, day()]).toContain(parsed!.id);
    expect(parsed!.key).toHaveLength(32);
    expect(second!.stdout.trim()).not.toBe(key);
    // A service configured with it encrypts and decrypts tokens.
    const cipher = new TokenCipher(loadConfig(tokenCryptoEnv, { TOKEN_ENCRYPTION_KEYS: key }).TOKEN_ENCRYPTION_KEYS);
    expect(cipher.decrypt(cipher.encrypt('refresh-token', 'ctx'), 'ctx')).toBe('refresh-token');
  });

  it('with --file, writes the key once (mode 0600) and keeps it on every later run', async () => {
    const file = join(dir, 'token-encryption-keys');
    const wrote = await runPlaylog(['generate-key', '--file', file]);
    expect(wrote.code, wrote.stderr).toBe(0);
    expect(wrote.stdout).toBe(`generate-key: wrote a new key to ${file}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = readFileSync(file, 'utf8');
    expect(parseEncryptionKeys(content.trim())).toHaveLength(1);
    // What compose's services then read through TOKEN_ENCRYPTION_KEYS_FILE.
    expect(loadConfig(tokenCryptoEnv, { TOKEN_ENCRYPTION_KEYS_FILE: file }).TOKEN_ENCRYPTION_KEYS).toEqual(parseEncryptionKeys(content.trim()));

    const again = await runPlaylog(['generate-key', '--file', file]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`generate-key: ${file} exists; kept it\n`);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('keeps a file that was already there, whatever it holds (an operator’s own key)', async () => {
    const file = join(dir, 'mine');
    writeFileSync(file, 'mine:AAAA\n', { mode: 0o640 });
    const run = await runPlaylog(['generate-key', '--file', file]);
    expect(run.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('mine:AAAA\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it('exits 1 naming the problem when the file cannot be written, and 2 on a bad command line', async () => {
    const missingDir = join(dir, 'no-such-dir', 'key');
    const failed = await runPlaylog(['generate-key', '--file', missingDir]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^generate-key: .*ENOENT/);
    expect(failed.stdout).toBe('');

    const usage = await runPlaylog(['generate-key', '--force']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^generate-key: .*--force/);
    expect(usage.stderr).toContain('usage: playlog generate-key [--file <path>]');
  });
});
