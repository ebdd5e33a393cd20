/**
 * Everything the web app's Playwright suite drives, as real processes: the Spotify emulator, the API
 * (serving the built app), a worker and the scheduler loop, on a database of their own. Playwright starts
 * it as its webServer and stops it with SIGTERM; on the way out it stops every process and drops the
 * database.
 *   node --import tsx test/web/stack.ts     (ports from WEB_TEST_API_PORT and WEB_TEST_EMULATOR_PORT)
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Children } from '../../scripts/support/children.js';
import { createTestDatabase } from '../support/database.js';
import ensureTemplate from '../support/global-setup.js';
import { TEST_REDIS_URL, newEncryptionKeys, uniqueQueuePrefix } from '../support/test-env.js';
import { WEB_STACK } from './stack-settings.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const logDir = join(ROOT, 'test-results', 'web-stack');
mkdirSync(logDir, { recursive: true });

const say = (message: string) => process.stdout.write(`web stack: ${message}\n`);

async function main(): Promise<void> {
  await ensureTemplate();
  const db = await createTestDatabase('web');
  await db.orm.close(true);
  const importDir = join(ROOT, '.scratch', `web-imports-${process.pid}`);
  const exportDir = join(ROOT, '.scratch', `web-exports-${process.pid}`);
  const children = new Children(logDir, (child, code) => say(`${child.name} exited on its own (code ${code}): see ${child.logFile}`));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await children.stopAll(8_000);
    await db.drop().catch((error: Error) => say(`could not drop the database: ${error.message}`));
    // Uploads and exports are personal files: none outlives the run.
    rmSync(importDir, { recursive: true, force: true });
    rmSync(exportDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  const { apiUrl, emulatorUrl } = WEB_STACK;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: uniqueQueuePrefix('web'),
    TOKEN_ENCRYPTION_KEYS: newEncryptionKeys(),
    API_HOST: '127.0.0.1',
    API_PORT: String(WEB_STACK.apiPort),
    PUBLIC_URL: apiUrl,
    METRICS_HOST: '127.0.0.1',
    API_METRICS_PORT: '0',
    WORKER_METRICS_PORT: '0',
    // Playwright's tests sign in and load pages quickly one after the other, all from one address.
    RATE_LIMIT_AUTH: '0',
    RATE_LIMIT_GRAPHQL: '0',
    SPOTIFY_ACCOUNTS_URL: `${emulatorUrl}/accounts`,
    SPOTIFY_API_URL: `${emulatorUrl}/v1`,
    SPOTIFY_CLIENT_ID: 'playlog-web-test',
    SPOTIFY_CLIENT_SECRET: 'playlog-web-test-secret',
    SPOTIFY_REDIRECT_URI: `${apiUrl}/auth/callback`,
    EMULATOR_HOST: '127.0.0.1',
    EMULATOR_PORT: String(WEB_STACK.emulatorPort),
    EMULATOR_USERS: String(WEB_STACK.listeners),
    EMULATOR_SEED: 'playlog-web-test',
    EMULATOR_CLIENT_ID: 'playlog-web-test',
    EMULATOR_CLIENT_SECRET: 'playlog-web-test-secret',
    EMULATOR_PLAYS_PER_HOUR_MIN: '30',
    EMULATOR_PLAYS_PER_HOUR_MAX: '60',
    // Frozen: the plays Spotify can return stay what the tests compare with (no play ends mid-test).
    EMULATOR_CLOCK_FROZEN: 'true',
    POLL_INTERVAL_SECONDS: '300',
    SCHEDULER_LOOP_SECONDS: '60',
    WORKER_MAX_JOBS_PER_SECOND: '200',
    IMPORT_TRACK_LOOKUPS_PER_SECOND: '200',
    IMPORT_DIR: importDir,
    EXPORT_DIR: exportDir,
  };

  const emulator = children.start('spotify-emulator', 'emulator', env);
  await waitForHttp(`${emulatorUrl}/admin/users`, () => children.tail(emulator));
  const api = children.start('api', 'api', env);
  await waitForHttp(`${apiUrl}/readyz`, () => children.tail(api));
  children.start('worker', 'worker', env);
  children.start('scheduler', 'scheduler', env);
  say(`ready: ${apiUrl} (emulator ${emulatorUrl}, logs in ${logDir})`);
}

async function waitForHttp(url: string, tail: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s:\n${tail()}`);
}

main().catch((error: Error) => {
  say(error.stack ?? error.message);
  process.exit(1);
});
