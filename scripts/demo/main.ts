/**
 * `npm run demo`: runs all of Playlog on this machine with synthetic listeners and no Spotify account.
 * Ctrl-C stops everything it started and logs its listeners out. Data stays in the database, so a second
 * run continues it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { UsageError, parseCommandLine, wholeNumberOption } from '../../services/shared/cli/command-line.js';
import { Children, type Child } from '../support/children.js';
import { loginSyntheticListener, logoutSession, type DemoSession } from '../support/synthetic-login.js';
import { PLAYLOG } from '../support/playlog.js';
import { readEnvFile } from './env-file.js';
import { importDemoHistory } from './history-import.js';
import { Progress } from './progress.js';

const USAGE = `usage: npm run demo -- [options]

All of Playlog on this machine: Postgres and Redis, the Spotify emulator with synthetic listeners, the
API, a worker and the scheduler. Ctrl-C stops everything it started.

options:
  --listeners <n>   synthetic listeners to log in, 1 to 50 (default 5)
  --history-days <n>
                    days of history each listener's streaming history brings on their first run, imported
                    as POST /imports imports Spotify's (default 730: two years; 0: none)
  --with-spotify    the real Spotify instead of the emulator, with SPOTIFY_CLIENT_ID and
                    SPOTIFY_CLIENT_SECRET from .env (log in with the URL it prints)
  -h, --help        this text`;

const root = new URL('../../', import.meta.url).pathname;
const { withSpotify, listeners, historyDays } = (() => {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  try {
    const { values } = parseCommandLine(argv, { listeners: { type: 'string' }, 'history-days': { type: 'string' }, 'with-spotify': { type: 'boolean' } });
    return {
      withSpotify: (values['with-spotify'] ?? false) || process.env.DEMO_WITH_SPOTIFY === '1',
      listeners: wholeNumberOption('listeners', values.listeners, 5, { min: 1, max: 50 }),
      historyDays: wholeNumberOption('history-days', values['history-days'], 730, { min: 0, max: 3650 }),
    };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`demo: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
})();

// The development key of .env.example: fixed, so a second run can read the tokens the first stored.
const DEV_ENCRYPTION_KEY = 'dev:cGxheWxvZy1kZXZlbG9wbWVudC1rZXktMzJieXRlcyE=';

const fileEnv = readEnvFile(join(root, '.env'));
const pick = (name: string, fallback: string) => process.env[name] || fileEnv[name] || fallback;
const apiPort = Number(pick('API_PORT', '4000'));
const emulatorPort = Number(pick('EMULATOR_PORT', '4100'));
// 0 lets the API or the worker pick a free port (nothing of the demo reads their metrics).
const apiMetricsPort = Number(pick('API_METRICS_PORT', '9464'));
const workerMetricsPort = Number(pick('WORKER_METRICS_PORT', '9465'));
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
  METRICS_HOST: '127.0.0.1',
  API_METRICS_PORT: String(apiMetricsPort),
  WORKER_METRICS_PORT: String(workerMetricsPort),
  PUBLIC_URL: apiUrl,
  ADMIN_USERNAME: 'admin',
  ADMIN_PASSWORD: adminPassword,
  POLL_INTERVAL_SECONDS: pick('POLL_INTERVAL_SECONDS', '30'),
  // Listeners at the emulator's busiest, so a new play comes along every minute or two.
  EMULATOR_PLAYS_PER_HOUR_MIN: pick('EMULATOR_PLAYS_PER_HOUR_MIN', '30'),
  EMULATOR_PLAYS_PER_HOUR_MAX: pick('EMULATOR_PLAYS_PER_HOUR_MAX', '60'),
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
        // The emulator sets no rate limit: an import's track look-ups (one request per track) need not
        // crawl at the pace Spotify's limit imposes, so the history arrives in a minute or two.
        WORKER_MAX_JOBS_PER_SECOND: pick('WORKER_MAX_JOBS_PER_SECOND', '200'),
        IMPORT_TRACK_LOOKUPS_PER_SECOND: pick('IMPORT_TRACK_LOOKUPS_PER_SECOND', '100'),
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

/** The listeners' sessions: revoked when the demo stops, so runs do not pile up sessions. */
const sessions: DemoSession[] = [];

let shuttingDown = false;
async function shutdown(code: number): Promise<never> {
  if (!shuttingDown) {
    shuttingDown = true;
    console.log('\nStopping Playlog…');
    const loggedOut = await Promise.all(sessions.map((session) => logoutSession(apiUrl, session).then(() => true, () => false)));
    if (loggedOut.includes(false)) console.log(`(${loggedOut.filter((ok) => !ok).length} listener session(s) could not be revoked: they expire on their own)`);
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
  const importsHistory = !withSpotify && historyDays > 0;
  const progress = new Progress(withSpotify ? 7 : importsHistory ? 10 : 9);
  console.log(withSpotify ? 'Playlog demo with your Spotify app' : `Playlog demo: ${listeners} synthetic listeners, no Spotify account needed`);

  await progress.run('Checking ports', async () => {
    const ports: Array<[number, string]> = [
      [apiPort, 'API_PORT'],
      ...(withSpotify ? [] : ([[emulatorPort, 'EMULATOR_PORT']] as Array<[number, string]>)),
      [apiMetricsPort, 'API_METRICS_PORT'],
      [workerMetricsPort, 'WORKER_METRICS_PORT'],
    ];
    for (const [port, variable] of ports) {
      if (port !== 0 && !(await portIsFree(port))) throw new Error(`port ${port} is in use: stop what uses it, or set ${variable}`);
    }
  });
  await progress.run('Starting Postgres and Redis (scripts/services.sh up)', () => runToEnd('bash', ['scripts/services.sh', 'up']));
  await progress.run('Building the web app (npm run web:build)', () => runToEnd('npm', ['run', '--silent', 'web:build']));
  await progress.run('Applying database migrations', () => runToEnd('sh', [PLAYLOG, 'migrate']));

  let spotifyUserIds: string[] = [];
  if (!withSpotify) {
    await progress.run('Starting the Spotify emulator', async () => {
      const emulator = children.start('spotify-emulator', 'emulator', env);
      await waitForHttp(`${emulatorUrl}/admin/users`, emulator);
      const users = (await (await fetch(`${emulatorUrl}/admin/users`)).json()) as Array<{ id: string }> | { users: Array<{ id: string }> };
      spotifyUserIds = (Array.isArray(users) ? users : users.users).map((u) => u.id).slice(0, listeners);
    });
  }
  await progress.run('Starting the API', async () => {
    const api = children.start('api', 'api', env);
    await waitForHttp(`${apiUrl}/readyz`, api);
  });
  await progress.run('Starting a worker and the scheduler loop', async () => {
    // As the image starts them (`playlog worker`: with its bounded heap).
    children.start('worker', 'worker', env);
    children.start('scheduler', 'scheduler', env);
  });

  if (!withSpotify) {
    await progress.run(`Logging in ${listeners} synthetic listeners through OAuth`, async () => {
      for (const id of spotifyUserIds) sessions.push(await loginSyntheticListener(apiUrl, id));
    });
  }
  if (importsHistory) {
    const years = historyDays % 365 === 0 ? `${historyDays / 365} year(s)` : `${historyDays} days`;
    const result = await progress.run(`Importing ${years} of each listener's history (first run only)`, (report) =>
      importDemoHistory({ apiUrl, emulatorUrl, sessions, days: historyDays, workDir: join(root, '.services', 'demo-streaming-histories') }, report),
    );
    console.log(
      result.imported === 0
        ? '    every listener has their history from an earlier run'
        : `    ${result.imported} listener(s) imported, ${result.rows.toLocaleString('en-US')} plays` + (result.skipped > 0 ? `; ${result.skipped} had theirs from an earlier run` : ''),
    );
  }
  await progress.run('Ready', async () => undefined);
  printReady(sessions);
}

/** Average minutes between two plays at this many plays an hour. */
const minutesBetween = (playsPerHour: number): string => (playsPerHour > 0 ? String(Math.round((60 / playsPerHour) * 10) / 10) : '∞');

/** The statistics query the ready text prints. */
const STATS_QUERY = '{ listeningSummary { plays msPlayed distinctTracks activeDays firstPlayedAt longestStreak { days } } topArtists(first: 3) { edges { node { rank plays artist { name } } } } }';

function printReady(sessions: DemoSession[]): void {
  const query = '{ listeningHistory(first: 5) { edges { node { playedAt track { name artists { name } } } } pageInfo { hasNextPage endCursor } } }';
  const lines = [
    '',
    'Playlog demo is ready',
    '',
    `  Web app:            ${apiUrl}/   (open it in your browser and sign in${sessions.length > 0 ? ` as ${sessions[0]!.displayName}, or any listener` : ' with Spotify'})`,
    `  GraphQL API + IDE:  ${apiUrl}/graphql`,
    // The URL without credentials in it: browsers refuse user:password@ URLs; this one asks for them.
    `  Queue dashboard:    ${apiUrl}/admin/queues   (your browser asks: user admin, password ${adminPassword})`,
    `  Logs:               .services/demo-logs/`,
  ];
  if (sessions[0]) {
    lines.push(
      `  Listeners:          ${sessions.map((s) => s.displayName).join(', ')}`,
      '',
      `Recent plays of ${sessions[0].displayName}. Each listener plays ${env.EMULATOR_PLAYS_PER_HOUR_MIN} to ${env.EMULATOR_PLAYS_PER_HOUR_MAX} tracks an hour`,
      `(a new play every ${minutesBetween(Number(env.EMULATOR_PLAYS_PER_HOUR_MAX))} to ${minutesBetween(Number(env.EMULATOR_PLAYS_PER_HOUR_MIN))} minutes); Playlog polls each listener every ${env.POLL_INTERVAL_SECONDS} s, or at once on requestSync:`,
      '',
      `  curl -s ${apiUrl}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${sessions[0].token}' -d '${JSON.stringify({ query })}'`,
      '',
      `Their statistics (docs/stats.md), over all the history they brought:`,
      '',
      `  curl -s ${apiUrl}/graphql -H 'content-type: application/json' -H 'authorization: Bearer ${sessions[0].token}' -d '${JSON.stringify({ query: STATS_QUERY })}'`,
    );
  } else {
    lines.push('', `Log in with your Spotify account: open ${apiUrl}/auth/login in a browser.`);
  }
  lines.push('', 'Press Ctrl-C to stop everything the demo started.', '');
  console.log(lines.join('\n'));
}

main().catch(async (error: unknown) => {
  // A step cut short by Ctrl-C fails on its own: nothing to report.
  if (shuttingDown) return;
  console.error(`\ndemo: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
});
