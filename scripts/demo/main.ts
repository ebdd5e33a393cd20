/**
 * `npm run demo`: runs all of Playlog on this machine with synthetic listeners and no Spotify account.
 *
 *   npm run demo                      emulator + API + worker + scheduler loop, 5 listeners logged in
 *   npm run demo -- --listeners 3     fewer (or more) synthetic listeners
 *   npm run demo -- --with-spotify    the real Spotify, with SPOTIFY_CLIENT_ID/SECRET from .env
 *
 * Ctrl-C stops everything it started. Data stays in the database, so a second run continues it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Children, type Child } from './children.js';
import { readEnvFile } from './env-file.js';
import { Progress } from './progress.js';
import { loginSyntheticListener, type DemoSession } from './synthetic-login.js';

const root = new URL('../../', import.meta.url).pathname;
const args = process.argv.slice(2);
const withSpotify = args.includes('--with-spotify') || process.env.DEMO_WITH_SPOTIFY === '1';
const listenersArg = args.indexOf('--listeners');
const listeners = listenersArg >= 0 ? Number(args[listenersArg + 1]) : 5;
if (!Number.isInteger(listeners) || listeners < 1 || listeners > 50) {
  console.error('demo: --listeners takes a whole number from 1 to 50');
  process.exit(2);
}

// The development key of .env.example: fixed, so a second run can read the tokens the first stored.
const DEV_ENCRYPTION_KEY = 'dev:cGxheWxvZy1kZXZlbG9wbWVudC1rZXktMzJieXRlcyE=';

const fileEnv = readEnvFile(join(root, '.env'));
const pick = (name: string, fallback: string) => process.env[name] || fileEnv[name] || fallback;
const apiPort = Number(pick('API_PORT', '4000'));
const emulatorPort = Number(pick('EMULATOR_PORT', '4100'));
const apiUrl = `http://127.0.0.1:${apiPort}`;
const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
const adminPassword = randomBytes(9).toString('base64url');

const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: 'development',
  LOG_FORMAT: 'json',
  LOG_LEVEL: pick('LOG_LEVEL', 'info'),
  DATABASE_URL: pick('DATABASE_URL', 'postgres://playlog:playlog@127.0.0.1:5432/playlog'),
  REDIS_URL: pick('REDIS_URL', 'redis://127.0.0.1:6379'),
  QUEUE_PREFIX: pick('QUEUE_PREFIX', 'playlog'),
  TOKEN_ENCRYPTION_KEYS: pick('TOKEN_ENCRYPTION_KEYS', DEV_ENCRYPTION_KEY),
  API_PORT: String(apiPort),
  API_HOST: '127.0.0.1',
  PUBLIC_URL: apiUrl,
  ADMIN_USERNAME: 'admin',
  ADMIN_PASSWORD: adminPassword,
  POLL_INTERVAL_SECONDS: pick('POLL_INTERVAL_SECONDS', '30'),
  SCHEDULER_LOOP_SECONDS: pick('SCHEDULER_LOOP_SECONDS', '15'),
  WORKER_CONCURRENCY: pick('WORKER_CONCURRENCY', '5'),
  SPOTIFY_REDIRECT_URI: withSpotify ? pick('SPOTIFY_REDIRECT_URI', `${apiUrl}/auth/callback`) : `${apiUrl}/auth/callback`,
  ...(withSpotify
    ? {
        SPOTIFY_ACCOUNTS_URL: pick('SPOTIFY_ACCOUNTS_URL', 'https://accounts.spotify.com'),
        SPOTIFY_API_URL: pick('SPOTIFY_API_URL', 'https://api.spotify.com/v1'),
        SPOTIFY_CLIENT_ID: pick('SPOTIFY_CLIENT_ID', ''),
        SPOTIFY_CLIENT_SECRET: pick('SPOTIFY_CLIENT_SECRET', ''),
      }
    : {
        SPOTIFY_ACCOUNTS_URL: `${emulatorUrl}/accounts`,
        SPOTIFY_API_URL: `${emulatorUrl}/v1`,
        SPOTIFY_CLIENT_ID: 'playlog-demo',
        SPOTIFY_CLIENT_SECRET: 'playlog-demo-secret',
        EMULATOR_PORT: String(emulatorPort),
        EMULATOR_HOST: '127.0.0.1',
        EMULATOR_USERS: String(Math.max(listeners, 5)),
        EMULATOR_SEED: pick('EMULATOR_SEED', 'playlog-demo'),
        EMULATOR_CLIENT_ID: 'playlog-demo',
        EMULATOR_CLIENT_SECRET: 'playlog-demo-secret',
      }),
};

if (withSpotify && (!env.SPOTIFY_CLIENT_ID || !env.SPOTIFY_CLIENT_SECRET)) {
  console.error('demo: --with-spotify needs SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET in .env (see README, "Using your own Spotify app")');
  process.exit(2);
}

const children = new Children(join(root, '.services', 'demo-logs'), (child, code) => {
  console.error(`\ndemo: ${child.name} exited unexpectedly (code ${code}). Last lines of ${child.logFile}:\n${children.tail(child)}`);
  void shutdown(1);
});

let shuttingDown = false;
async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    console.log('\nStopping Playlog…');
    await children.stopAll();
    console.log('Stopped. Your data stays in the database; `npm run demo` continues where you left off.');
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

function runToEnd(command: string, commandArgs: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    child.on('error', reject);
    child.on('exit', (exitCode) => (exitCode === 0 ? resolve() : reject(new Error(`${command} ${commandArgs.join(' ')} failed:\n${output.trim()}`))));
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function waitForHttp(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`${child.name} exited:\n${children.tail(child)}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${child.name} did not answer ${url} within ${timeoutMs / 1000} s:\n${children.tail(child)}`);
}

async function main(): Promise<void> {
  const progress = new Progress(withSpotify ? 6 : 8);
  console.log(withSpotify ? 'Playlog demo with your Spotify app' : `Playlog demo: ${listeners} synthetic listeners, no Spotify account needed`);

  await progress.run('Checking ports', async () => {
    for (const port of withSpotify ? [apiPort] : [apiPort, emulatorPort]) {
      if (!(await portIsFree(port))) throw new Error(`port ${port} is in use: stop what uses it, or set API_PORT / EMULATOR_PORT`);
    }
  });
  await progress.run('Starting Postgres and Redis (scripts/services.sh up)', () => runToEnd('bash', ['scripts/services.sh', 'up']));
  await progress.run('Applying database migrations', () => runToEnd(process.execPath, ['--import', 'tsx', 'services/shared/db/migrate.ts']));

  let spotifyUserIds: string[] = [];
  if (!withSpotify) {
    await progress.run('Starting the Spotify emulator', async () => {
      const emulator = children.start('spotify-emulator', 'services/spotify-emulator/main.ts', env);
      await waitForHttp(`${emulatorUrl}/admin/users`, emulator);
      const users = (await (await fetch(`${emulatorUrl}/admin/users`)).json()) as Array<{ id: string }> | { users: Array<{ id: string }> };
      spotifyUserIds = (Array.isArray(users) ? users : users.users).map((u) => u.id).slice(0, listeners);
    });
  }
  await progress.run('Starting the API', async () => {
    const api = children.start('api', 'services/api/main.ts', env);
    await waitForHttp(`${apiUrl}/readyz`, api);
  });
  await progress.run('Starting a worker and the scheduler loop', async () => {
    children.start('worker', 'services/worker/main.ts', env);
    children.start('scheduler', 'services/scheduler/main.ts', env);
  });

  const sessions: DemoSession[] = [];
  if (!withSpotify) {
    await progress.run(`Logging in ${listeners} synthetic listeners through OAuth`, async () => {
      for (const id of spotifyUserIds) sessions.push(await loginSyntheticListener(apiUrl, id));
    });
  }
  await progress.run('Ready', async () => undefined);
  printReady(sessions);
}

function printReady(sessions: DemoSession[]): void {
  const query = '{ listeningHistory(first: 5) { edges { node { playedAt track { name artists { name } } } } pageInfo { hasNextPage endCursor } } }';
  const lines = [
    '',
    'Playlog demo is ready',
    '',
    `  GraphQL API + IDE:  ${apiUrl}/graphql`,
    `  Queue dashboard:    ${apiUrl}/admin/queues   (user admin, password ${adminPassword})`,
    `  Logs:               .services/demo-logs/`,
  ];
  if (sessions[0]) {
    lines.push(
      `  Listeners:          ${sessions.map((s) => s.displayName).join(', ')}`,
      '',
      `Recent plays of ${sessions[0].displayName} (new ones arrive every ${env.SCHEDULER_LOOP_SECONDS} s or so):`,
      '',
      `  curl -s ${apiUrl}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${sessions[0].token}' -d '${JSON.stringify({ query })}'`,
    );
  } else {
    lines.push('', `Log in with your Spotify account: open ${apiUrl}/auth/login in a browser.`);
  }
  lines.push('', 'Press Ctrl-C to stop everything the demo started.', '');
  console.log(lines.join('\n'));
}

main().catch(async (error: unknown) => {
  console.error(`\ndemo: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
});
