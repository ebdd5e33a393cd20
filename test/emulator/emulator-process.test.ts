import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/shared/config/load-config.js';
import { emulatorEnv, emulatorOptionsFromEnv } from '../../services/spotify-emulator/config.js';
import { PLAYLOG } from '../support/playlog.js';

/** `playlog emulator` (npm run start:emulator). */
const ENTRY = [PLAYLOG, 'emulator'];

describe('spotify emulator process', () => {
  it('starts from its environment, serves, and stops on SIGTERM', async () => {
    const child = spawn('sh', ENTRY, {
      env: { PATH: process.env.PATH ?? '', EMULATOR_PORT: '0', EMULATOR_USERS: '3', EMULATOR_SEED: 'proc', LOG_FORMAT: 'json', SPOTIFY_CLIENT_ID: 'from-spotify-env' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const started = await new Promise<{ apiUrl: string; adminUrl: string; clientId: string; users: string[] }>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          const entry = JSON.parse(line) as { msg?: string };
          if (entry.msg === 'Spotify emulator listening') resolve(entry as never);
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      expect(started.clientId).toBe('from-spotify-env');
      expect(started.users).toHaveLength(3);
      const me = await fetch(`${started.apiUrl}/me`);
      expect(me.status).toBe(401);
      expect(await me.json()).toEqual({ error: { status: 401, message: 'No token provided' } });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses a bad configuration with one line naming each bad variable', async () => {
    const child = spawn('sh', ENTRY, {
      env: { PATH: process.env.PATH ?? '', EMULATOR_PORT: 'eighty', EMULATOR_ERROR_RATE: '2', EMULATOR_FAULT_TARGETS: 'api,moon' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    for (const name of ['EMULATOR_PORT', 'EMULATOR_ERROR_RATE', 'EMULATOR_FAULT_TARGETS']) expect(stderr).toContain(name);
  });

  it('describes every variable it reads, and its defaults are the in-process defaults', () => {
    for (const [name, schema] of Object.entries(emulatorEnv)) expect(schema.description, name).toBeTruthy();
    const options = emulatorOptionsFromEnv(loadConfig(emulatorEnv, {}));
    expect(options).toMatchObject({ port: 4100, host: '127.0.0.1', seed: 'playlog', users: 5, clientId: 'playlog-dev', clientSecret: 'playlog-dev-secret', redirectUris: [] });
    expect(options.faults).toMatchObject({ rateLimitPerWindow: 0, rateLimitWindowMs: 30_000, dailyQuota: 0, errorRate: 0 });
    const custom = emulatorOptionsFromEnv(loadConfig(emulatorEnv, { EMULATOR_ERROR_STATUSES: '503, 500', EMULATOR_FAULT_TARGETS: 'api,token', EMULATOR_CLIENT_ID: 'mine', SPOTIFY_CLIENT_ID: 'theirs' }));
    expect(custom.faults).toMatchObject({ errorStatuses: [503, 500], targets: ['api', 'token'] });
    expect(custom.clientId).toBe('mine');
  });
});
