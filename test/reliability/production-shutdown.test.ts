import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TEST_REDIS_URL, newEncryptionKeys, uniqueQueuePrefix } from '../support/test-env.js';
import { spawnService, type ServiceProcess } from '../support/worker-process.js';

/**
 * `docker compose stop`, a rolling deploy, a scale-down: every long-running process gets SIGTERM. Started as the
 * image starts it (`playlog <service>`, NODE_ENV=production, configured as production requires), each one,
 * once ready, must finish what it holds, say that it stopped, and exit 0 within its grace period: not 143, not
 * killed by the signal (an orchestrator counts that as a crash; connections and queues would be left open).
 */

type Service = 'api' | 'worker' | 'scheduler' | 'emulator' | 'lake-export';

interface Expectation {
  /** Resolves once the service is ready (its probe answers, or its first run is done). */
  ready(service: ServiceProcess): Promise<void>;
  /** The line runService writes on the signal (the service's own name). */
  received: string;
  /** The log line of a completed stop. */
  stopped: string;
  /** How long it may take to stop. */
  graceMs: number;
}

const logged = async (service: ServiceProcess, pattern: RegExp) => JSON.parse(await service.waitForLine(pattern, 60_000)) as Record<string, unknown>;
async function answers(url: string): Promise<void> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
}

// docker compose stop waits 10 s by default before SIGKILL; the API and the worker are given their own grace.
const COMPOSE_STOP_MS = 10_000;
const EXPECTED: Record<Service, Expectation> = {
  api: {
    ready: async (api) => answers(`${String((await logged(api, /"msg":"API listening"/)).url)}/readyz`),
    received: 'api: SIGTERM received, shutting down',
    stopped: 'API stopped',
    graceMs: 5_000,
  },
  worker: {
    ready: async (worker) => answers(String((await logged(worker, /"msg":"worker ready"/)).metrics).replace(/\/metrics$/, '/readyz')),
    received: 'worker: SIGTERM received, shutting down',
    stopped: 'worker stopped',
    graceMs: 5_000,
  },
  scheduler: {
    ready: async (scheduler) => void (await logged(scheduler, /"msg":"scheduler run: /)),
    received: 'scheduler: SIGTERM received, shutting down',
    stopped: 'scheduler stopped',
    graceMs: COMPOSE_STOP_MS,
  },
  emulator: {
    ready: async (emulator) => answers(new URL('/healthz', String((await logged(emulator, /"msg":"Spotify emulator listening"/)).apiUrl)).href),
    received: 'spotify-emulator: SIGTERM received, shutting down',
    stopped: 'Spotify emulator stopped',
    graceMs: COMPOSE_STOP_MS,
  },
  'lake-export': {
    ready: async (lake) => void (await logged(lake, /"msg":"(lake updated|the lake is up to date)/)),
    received: 'lake-export: SIGTERM received, shutting down',
    stopped: 'lake export stopped',
    graceMs: COMPOSE_STOP_MS,
  },
};

let db: TestDatabase;
const dirs: string[] = [];
const started = new Map<Service, ServiceProcess>();
const tempDir = (label: string) => {
  const dir = mkdtempSync(join(tmpdir(), `playlog-shutdown-${label}-`));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  db = await createTestDatabase('shutdown');
  // As docker-compose.yml configures them: the token key from a file (TOKEN_ENCRYPTION_KEYS_FILE), uploads and
  // exports in directories the API and the workers share, metrics on loopback.
  const keys = join(tempDir('keys'), 'token-encryption-keys');
  writeFileSync(keys, `${newEncryptionKeys('production')}\n`, { mode: 0o600 });
  const production = { NODE_ENV: 'production', LOG_LEVEL: 'info' };
  const database = { DATABASE_URL: db.url, DATABASE_POOL_MAX: '3' };
  const redis = { REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: uniqueQueuePrefix('shutdown') };
  // The Spotify app's settings; nothing here calls Spotify (no user is logged in, no job runs).
  const spotify = {
    TOKEN_ENCRYPTION_KEYS: '',
    TOKEN_ENCRYPTION_KEYS_FILE: keys,
    SPOTIFY_CLIENT_ID: 'playlog-shutdown',
    SPOTIFY_CLIENT_SECRET: 'playlog-shutdown-secret',
    SPOTIFY_ACCOUNTS_URL: 'http://127.0.0.1:9/accounts',
    SPOTIFY_API_URL: 'http://127.0.0.1:9/v1',
    SPOTIFY_REDIRECT_URI: 'https://playlog.example.com/auth/callback',
  };
  const files = { IMPORT_DIR: tempDir('imports'), EXPORT_DIR: tempDir('exports') };
  const env: Record<Service, Record<string, string>> = {
    api: {
      ...production,
      ...database,
      ...redis,
      ...spotify,
      ...files,
      API_HOST: '127.0.0.1',
      API_PORT: '0',
      PUBLIC_URL: 'https://playlog.example.com',
      API_SHUTDOWN_GRACE_SECONDS: String(EXPECTED.api.graceMs / 1000),
    },
    worker: { ...production, ...database, ...redis, ...spotify, ...files, WORKER_SHUTDOWN_GRACE_MS: String(EXPECTED.worker.graceMs) },
    scheduler: { ...production, ...database, ...redis, SCHEDULER_LOOP_SECONDS: '60', SCHEDULER_SPREAD_SECONDS: '0' },
    emulator: { ...production, EMULATOR_HOST: '127.0.0.1', EMULATOR_PORT: '0', EMULATOR_USERS: '1', SPOTIFY_CLIENT_ID: 'playlog-shutdown', SPOTIFY_CLIENT_SECRET: 'playlog-shutdown-secret' },
    'lake-export': {
      ...production,
      DATABASE_URL: db.url,
      LAKE_URL: `file://${tempDir('lake')}`,
      LAKE_PSEUDONYM_KEY: 'the-shutdown-test-pseudonym-key-0123456789abcdef',
      LAKE_WORK_DIR: tempDir('lake-work'),
      LAKE_EXPORT_LOOP_SECONDS: '3600',
    },
  };
  // All at once: each test below waits for its own to be ready.
  for (const service of Object.keys(env) as Service[]) started.set(service, spawnService(service, env[service]));
});

afterAll(async () => {
  await Promise.all([...started.values()].map((service) => service.stop('SIGKILL')));
  await db?.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('a service started with NODE_ENV=production, once ready, on SIGTERM', () => {
  it.each(Object.keys(EXPECTED) as Service[])('%s stops what it runs, logs that it stopped, and exits 0 within its grace period', { timeout: 90_000 }, async (name) => {
    const service = started.get(name)!;
    const expected = EXPECTED[name];
    await expected.ready(service);

    const signalledAt = Date.now();
    // Killed (SIGKILL) only if it is still running well past its grace period: the test then fails below.
    const exit = await service.stop('SIGTERM', expected.graceMs + 10_000);
    const tookMs = Date.now() - signalledAt;
    const output = service.lines.join('\n');
    expect(exit, output.slice(-3000)).toBe(0);
    expect(tookMs).toBeLessThan(expected.graceMs);
    expect(service.lines).toContain(expected.received);
    expect(service.logs().filter((line) => line.msg === expected.stopped), `"${expected.stopped}" logged`).toHaveLength(1);
    // A clean stop reports no error on the way out.
    expect(service.logs().filter((line) => typeof line.level === 'number' && line.level >= 50).map((line) => line.msg)).toEqual([]);
  });
});
