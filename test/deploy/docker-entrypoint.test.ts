import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { workerEnv } from '../../services/worker/config.js';
import { ROOT, read } from './deploy-files.js';

/**
 * The image's entrypoint, run here as the image runs it (`playlog <service>` from /app), with the
 * repository standing in for /app through PLAYLOG_HOME.
 */

const ENTRYPOINT = `${ROOT}/scripts/docker-entrypoint.sh`;
const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', PLAYLOG_HOME: ROOT, ...extra });

function playlog(args: string[], extra: Record<string, string> = {}) {
  return spawnSync('sh', [ENTRYPOINT, ...args], { env: env(extra), encoding: 'utf8', timeout: 30_000 });
}

describe('the image entrypoint', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  it('refuses an unknown service name with exit 2 and lists the services', () => {
    const result = playlog(['apii']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("playlog: unknown service 'apii'");
    expect(result.stderr).toContain('api|worker|scheduler|migrate|emulator|lake-export');
  });

  it('prints its usage for help, and fails without a service name', () => {
    const help = playlog(['help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: playlog api\|worker\|scheduler\|migrate\|emulator\|lake-export /);
    expect(playlog([]).status).not.toBe(0);
  });

  it('runs any other command from the application directory, for one-off operator tasks', () => {
    const result = playlog(['node', '-e', 'console.log(process.cwd())']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(ROOT);
  });

  it('turns a service into the node process itself, which shuts down cleanly on SIGTERM', async () => {
    // The emulator needs no database: a real service to start and stop.
    child = spawn('sh', [ENTRYPOINT, 'emulator'], {
      env: env({ EMULATOR_PORT: '0', EMULATOR_USERS: '1', LOG_FORMAT: 'json', LOG_LEVEL: 'info', NODE_ENV: 'production' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child!.once('exit', (code, signal) => resolve({ code, signal })));
    const listening = new Promise<void>((resolve, reject) => {
      createInterface({ input: child!.stdout! }).on('line', (line) => {
        lines.push(line);
        if (line.includes('Spotify emulator listening')) resolve();
      });
      void exited.then(() => reject(new Error(`the emulator exited before listening: ${stderr}${lines.join('\n')}`)));
    });
    await listening;

    // `exec`: the pid the entrypoint started as is now node running the service, not a shell that
    // would swallow the signal meant for it.
    const commandLine = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
    expect(commandLine.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
    expect(commandLine[3]).toBe('services/spotify-emulator/main.ts');

    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(stderr).toContain('SIGTERM received, shutting down');
  });
});

describe('the worker’s V8 heap limit', () => {
  // A stand-in for node on PATH that prints the command line it was started with.
  const bin = mkdtempSync(join(tmpdir(), 'playlog-fake-node-'));
  writeFileSync(join(bin, 'node'), '#!/bin/sh\necho "node $*"\n');
  chmodSync(join(bin, 'node'), 0o755);
  afterAll(() => rmSync(bin, { recursive: true, force: true }));
  const withFakeNode = (extra: Record<string, string>) => env({ ...extra, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` });
  const startWorkerScript = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['start:worker']!;
  const image = (service: string, extra: Record<string, string>) => spawnSync('sh', [ENTRYPOINT, service], { env: withFakeNode(extra), encoding: 'utf8' }).stdout.trim();
  const npm = (extra: Record<string, string>) => spawnSync('sh', ['-c', startWorkerScript], { cwd: ROOT, env: withFakeNode(extra), encoding: 'utf8' }).stdout.trim();

  it('is WORKER_MAX_OLD_SPACE_MB, with the configuration’s default, both in the image and in npm run start:worker', () => {
    const fallback = workerEnv.WORKER_MAX_OLD_SPACE_MB.parse(undefined);
    for (const value of [undefined, '', '512', '0']) {
      const given: Record<string, string> = value === undefined ? {} : { WORKER_MAX_OLD_SPACE_MB: value };
      const expected = `node --max-old-space-size=${value || fallback} --import tsx services/worker/main.ts`;
      expect(image('worker', given), `image, WORKER_MAX_OLD_SPACE_MB=${value}`).toBe(expected);
      expect(npm(given), `npm run start:worker, WORKER_MAX_OLD_SPACE_MB=${value}`).toBe(expected);
    }
  });

  it('is 128 MiB for the lake export, in the image and in npm run lake:export', () => {
    const lakeScript = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['lake:export']!;
    const expected = 'node --max-old-space-size=128 --import tsx services/lake-export/main.ts';
    expect(image('lake-export', {})).toBe(expected);
    expect(spawnSync('sh', ['-c', lakeScript], { cwd: ROOT, env: withFakeNode({}), encoding: 'utf8' }).stdout.trim()).toBe(expected);
  });

  it('is left to Node for the other services', () => {
    expect(image('api', { WORKER_MAX_OLD_SPACE_MB: '512' })).toBe('node --import tsx services/api/main.ts');
    expect(image('scheduler', {})).toBe('node --import tsx services/scheduler/main.ts');
  });
});
