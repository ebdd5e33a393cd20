import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMORY_BUDGETS } from '../../services/shared/runtime/memory-budgets.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TEST_REDIS_URL, uniqueQueuePrefix } from '../support/test-env.js';

const run = promisify(execFile);

/**
 * A free port below Linux's ephemeral range. The demo binds its ports only after building the web app; a
 * port the kernel handed out (listen on 0) may meanwhile go to another test's outgoing connection or server.
 */
async function portForLater(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await portIsFree(port)) return port;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Every live descendant of a process, from /proc (the demo's emulator, API, worker, scheduler). */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid !== parent) continue;
      found.push(child);
      walk(child);
    }
  };
  walk(pid);
  return found;
}

/** Running, not exited and not a zombie waiting to be reaped by init. */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
};
const describeProcess = (pid: number) => {
  try {
    return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`;
  } catch {
    return `${pid}: gone`;
  }
};

let db: TestDatabase;
let demo: ChildProcess | undefined;
beforeAll(async () => {
  db = await createTestDatabase('demo');
});
afterAll(async () => {
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
  await db?.drop();
});

describe('npm run demo', () => {
  it('gets to ready with each listener’s history imported, tells the truth about its listeners, serves plays and statistics to the printed curls, and stops everything on Ctrl-C, logging its listeners out', async () => {
    const apiPort = await portForLater();
    let emulatorPort = await portForLater();
    while (emulatorPort === apiPort) emulatorPort = await portForLater();
    demo = spawn('bash', ['scripts/demo.sh', '--listeners', '2', '--history-days', '20'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CI: 'true',
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: uniqueQueuePrefix('demo'),
        API_PORT: String(apiPort),
        EMULATOR_PORT: String(emulatorPort),
        // Other test files' services may hold the default metrics ports.
        API_METRICS_PORT: '0',
        WORKER_METRICS_PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demo.stdout!.on('data', (chunk) => (output += String(chunk)));
    demo.stderr!.on('data', (chunk) => (output += String(chunk)));

    const deadline = Date.now() + 150_000;
    while (!output.includes('Playlog demo is ready')) {
      if (demo.exitCode !== null) throw new Error(`demo exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`demo not ready in 150 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(output).toMatch(/\[1\/10\] Checking ports/);
    expect(output).toMatch(/✔ \[9\/10\] Importing 20 days of each listener's history \(first run only\)/);

    // The first thing it prints when ready is the web app, which a browser gets at that address.
    const ready = output.slice(output.indexOf('Playlog demo is ready'));
    const web = /^\s+Web app:\s+(\S+)\s+\(open it in your browser and sign in as (.+), or any listener\)$/m.exec(ready);
    expect(web).not.toBeNull();
    expect(ready.split('\n').find((line) => /^\s+\S.*:\s+http/.test(line))).toContain('Web app:');
    const page = await fetch(web![1]!, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<div id="root"></div>');
    const imported = /2 listener\(s\) imported, ([\d,]+) plays/.exec(output);
    expect(imported, output).not.toBeNull();
    expect(output).toContain(`http://127.0.0.1:${apiPort}/graphql`);
    expect(output).toContain('Ctrl-C');

    // The dashboard's URL carries no credentials (browsers refuse those): the browser asks for the printed ones.
    const dashboard = /Queue dashboard:\s+(\S+)\s+\(your browser asks: user (\S+), password (\S+)\)/.exec(output);
    expect(dashboard).not.toBeNull();
    const [, dashboardUrl, adminUser, adminPassword] = dashboard!;
    expect(new URL(dashboardUrl!).username).toBe('');
    const challenged = await fetch(dashboardUrl!);
    expect(challenged.status).toBe(401);
    expect(challenged.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await fetch(dashboardUrl!, { headers: { authorization: `Basic ${Buffer.from(`${adminUser}:${adminPassword}`).toString('base64')}` } })).status).toBe(200);

    // What it says of the listeners' pace is what the emulator was given.
    const pace = /Each listener plays (\d+) to (\d+) tracks an hour/.exec(output);
    expect(pace).not.toBeNull();
    const listeners = (await (await fetch(`http://127.0.0.1:${emulatorPort}/admin/users`)).json()) as Array<{ playsPerHour: number }>;
    for (const listener of listeners) {
      expect(listener.playsPerHour).toBeGreaterThanOrEqual(Number(pace![1]));
      expect(listener.playsPerHour).toBeLessThanOrEqual(Number(pace![2]));
    }

    const curl = /^\s*(curl -s .*)$/m.exec(output)?.[1];
    expect(curl).toBeDefined();
    let edges: unknown[] = [];
    for (let attempt = 0; attempt < 40 && edges.length === 0; attempt++) {
      const { stdout } = await run('bash', ['-c', curl!]);
      edges = (JSON.parse(stdout) as { data: { listeningHistory: { edges: unknown[] } } }).data.listeningHistory.edges;
      if (edges.length === 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(edges.length).toBeGreaterThan(0);

    // The statistics curl counts the imported history: plays from the first of its 20 days on, far more than one poll's 50.
    const statsCurl = [...output.matchAll(/^\s*(curl -s .*)$/gm)].map((match) => match[1]!).find((line) => line.includes('listeningSummary'));
    expect(statsCurl).toBeDefined();
    const { stdout: statsOut } = await run('bash', ['-c', statsCurl!]);
    const summary = (JSON.parse(statsOut) as { data: { listeningSummary: { plays: number; firstPlayedAt: string; activeDays: number } } }).data.listeningSummary;
    expect(summary.plays).toBeGreaterThan(1_000);
    expect(Date.now() - Date.parse(summary.firstPlayedAt)).toBeGreaterThan(19 * 86_400_000);
    expect(summary.activeDays).toBeGreaterThanOrEqual(20);
    const { rows: imports } = await db.sql.query<{ status: string; stored: number }>(`select status, stored::int as stored from imports order by created_at`);
    expect(imports.map((row) => row.status)).toEqual(['completed', 'completed']);
    expect(imports.reduce((sum, row) => sum + row.stored, 0)).toBeGreaterThan(0);
    // The streaming histories were deleted once uploaded, and the API's copies once imported.
    expect(readdirSync('.services/demo-streaming-histories')).toEqual([]);

    const started = descendantsOf(demo.pid!);
    expect(started.length).toBeGreaterThanOrEqual(4);
    // The worker runs as the image runs it (`playlog worker`): node itself, with its bounded heap.
    const worker = started.map(describeProcess).find((line) => / services\/cli\/main\.ts worker $/.test(line));
    expect(worker).toMatch(new RegExp(`^\\d+: node --max-old-space-size=${MEMORY_BUDGETS.worker.heapMiB} --import tsx services/cli/main\\.ts worker $`));
    const { rows: before } = await db.sql.query<{ open: number }>('select count(*)::int as open from sessions where revoked_at is null');
    expect(before[0]!.open).toBe(2);
    const exited = new Promise<number | null>((resolve) => demo!.once('exit', (code) => resolve(code)));
    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('Stopped.');
    expect(started.filter(alive).map(describeProcess)).toEqual([]);
    expect(await portIsFree(apiPort)).toBe(true);
    expect(await portIsFree(emulatorPort)).toBe(true);
    // Its listeners' sessions were revoked: runs do not pile up sessions.
    const { rows: after } = await db.sql.query<{ open: number }>('select count(*)::int as open from sessions where revoked_at is null');
    expect(after[0]!.open).toBe(0);
  }, 240_000);
});

describe('npm run demo on a fresh clone', () => {
  it('says it is installing dependencies and shows npm’s output, rather than sitting silent', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'playlog-demo-fresh-'));
    try {
      mkdirSync(join(clone, 'scripts'));
      mkdirSync(join(clone, 'bin'));
      copyFileSync('scripts/demo.sh', join(clone, 'scripts', 'demo.sh'));
      // Stand-ins for npm and node: npm "installs" (and says so, as npm does), node stands for the demo itself.
      writeFileSync(join(clone, 'bin', 'npm'), '#!/bin/sh\necho "added 321 packages in 48s"\nmkdir node_modules\n');
      writeFileSync(join(clone, 'bin', 'node'), '#!/bin/sh\necho "demo started"\n');
      chmodSync(join(clone, 'bin', 'npm'), 0o755);
      chmodSync(join(clone, 'bin', 'node'), 0o755);
      const { stdout } = await run('bash', [join(clone, 'scripts', 'demo.sh')], { env: { PATH: `${join(clone, 'bin')}:${process.env.PATH}` } });
      const lines = stdout.trim().split('\n');
      expect(lines[0]).toBe('demo: first run: installing dependencies with npm ci (about a minute)…');
      expect(lines).toContain('added 321 packages in 48s');
      expect(lines.at(-2)).toMatch(/^demo: dependencies installed in \d+ s$/);
      expect(lines.at(-1)).toBe('demo started');
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });
});
