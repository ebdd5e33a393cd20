import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { TEST_REDIS_URL, uniqueQueuePrefix } from '../support/test-env.js';

const run = promisify(execFile);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
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
  it('gets to ready, serves plays to the printed curl, and stops everything on Ctrl-C', async () => {
    const [apiPort, emulatorPort] = [await freePort(), await freePort()];
    demo = spawn('bash', ['scripts/demo.sh', '--listeners', '2'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CI: 'true',
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: uniqueQueuePrefix('demo'),
        API_PORT: String(apiPort),
        EMULATOR_PORT: String(emulatorPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demo.stdout!.on('data', (chunk) => (output += String(chunk)));
    demo.stderr!.on('data', (chunk) => (output += String(chunk)));

    const deadline = Date.now() + 90_000;
    while (!output.includes('Playlog demo is ready')) {
      if (demo.exitCode !== null) throw new Error(`demo exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`demo not ready in 90 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(output).toMatch(/\[1\/8\] Checking ports/);
    expect(output).toContain(`http://127.0.0.1:${apiPort}/graphql`);
    expect(output).toMatch(/Queue dashboard: .*\(user admin, password \S+\)/);
    expect(output).toContain('Ctrl-C');

    const curl = /^\s*(curl -s .*)$/m.exec(output)?.[1];
    expect(curl).toBeDefined();
    let edges: unknown[] = [];
    for (let attempt = 0; attempt < 40 && edges.length === 0; attempt++) {
      const { stdout } = await run('bash', ['-c', curl!]);
      edges = (JSON.parse(stdout) as { data: { listeningHistory: { edges: unknown[] } } }).data.listeningHistory.edges;
      if (edges.length === 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(edges.length).toBeGreaterThan(0);

    const started = descendantsOf(demo.pid!);
    expect(started.length).toBeGreaterThanOrEqual(4);
    const exited = new Promise<number | null>((resolve) => demo!.once('exit', (code) => resolve(code)));
    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('Stopped.');
    expect(started.filter(alive).map(describeProcess)).toEqual([]);
    expect(await portIsFree(apiPort)).toBe(true);
    expect(await portIsFree(emulatorPort)).toBe(true);
  }, 150_000);
});
