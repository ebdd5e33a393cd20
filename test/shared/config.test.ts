import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLAYLOG } from '../support/playlog.js';

// How loadConfig reads and checks variables is tested in test/unit/shared/config/; these start processes.

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
