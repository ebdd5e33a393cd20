import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../services/cli/commands.js';
import { type BudgetedCommand, MEMORY_BUDGETS, type MemoryBudget, memoryBudgetOf } from '../../services/shared/runtime/memory-budgets.js';
import { PLAYLOG, runPlaylog } from '../support/playlog.js';
import { ROOT } from './deploy-files.js';

/**
 * The image's entrypoint, /usr/local/bin/playlog (scripts/playlog; `npm run playlog` in a checkout), run here as
 * a checkout runs it: the TypeScript sources through tsx. It needs no Postgres or Redis: scripts/chart-check.sh
 * runs it too.
 */

/** Commands run by runService: they take no arguments, their configuration is their environment. */
const SERVICE_MAINS = ['api', 'worker', 'scheduler', 'emulator', 'migrate', 'lake-export'];

const scratch = mkdtempSync(join(tmpdir(), 'playlog-entrypoint-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('playlog, the image’s entrypoint', () => {
  it('lists every command for help, and refuses no command or an unknown one with exit 2 and the list', async () => {
    const [help, none, unknown, program] = await Promise.all([runPlaylog(['help']), runPlaylog([]), runPlaylog(['apii']), runPlaylog(['node', '-e', 'console.log(1)'])]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^usage: playlog <command> \[options\]/);
    for (const { name } of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));

    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^playlog: which command\?\nusage: playlog <command>/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^playlog: unknown command "apii"\nusage: playlog <command>/);
    expect(unknown.stderr).toContain(help.stdout.trim());
    // The old entrypoint ran any other program (a shell, node): this one runs only its own commands.
    expect(program.code).toBe(2);
    expect(program.stdout).toBe('');
    expect(program.stderr).toMatch(/^playlog: unknown command "node"/);
  });

  it.each(COMMANDS.map(({ name }) => name))('playlog %s --help prints that command’s usage and exits 0, doing nothing else', async (name) => {
    // Production, with nothing configured: a service that started would refuse its configuration (exit 1).
    const help = await runPlaylog([name, '--help'], { NODE_ENV: 'production' });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(new RegExp(`^usage: playlog ${name}\\b`));
    expect(help.stderr).toBe('');
  });

  it.each(SERVICE_MAINS)('playlog %s refuses a stray argument with exit 2, its usage on stderr, and starts nothing', async (name) => {
    const refused = await runPlaylog([name, '--port', '4000'], { NODE_ENV: 'production' });
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    expect(refused.stdout).toBe('');
    const [problem, ...usage] = refused.stderr.split('\n');
    expect(problem).toMatch(/^[a-z-]+: takes no arguments \(its configuration is its environment\), not "--port 4000"$/);
    expect(usage.join('\n')).toMatch(new RegExp(`^usage: playlog ${name}\\b`));
  });
});

describe('the node flags each command gets', () => {
  // Loaded into the node process the launcher starts (NODE_OPTIONS --import): what that process was given.
  const probe = join(scratch, 'probe.mjs');
  writeFileSync(
    probe,
    `import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';
writeFileSync(process.env.PROBE_OUT, JSON.stringify({
  execArgv: process.execArgv,
  argv: process.argv.slice(1),
  cwd: process.cwd(),
  heapLimitMiB: v8.getHeapStatistics().heap_size_limit / 1048576,
  mallocArenaMax: process.env.MALLOC_ARENA_MAX ?? null,
}));
`,
  );
  interface Probed {
    execArgv: string[];
    argv: string[];
    cwd: string;
    heapLimitMiB: number;
    mallocArenaMax: string | null;
  }
  let runs = 0;
  /** `playlog <args>` (a `--help` run: the process starts with its flags, then exits at once), probed. */
  async function probed(args: string[], env: Record<string, string> = {}): Promise<Probed> {
    const out = join(scratch, `probe-${++runs}.json`);
    const run = await runPlaylog(args, { NODE_OPTIONS: `--import ${probe}`, PROBE_OUT: out, ...env });
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(readFileSync(out, 'utf8')) as Probed;
  }
  const heapFlags = (probe: Probed) => probe.execArgv.filter((flag) => flag.startsWith('--max-old-space-size'));
  /** Every node flag of a command's memory budget, as the launcher gives them with no variable set. */
  const budgetFlags = (budget: MemoryBudget) => [`--max-old-space-size=${budget.heapMiB}`, ...(budget.heapGrowingPercent === undefined ? [] : [`--heap-growing-percent=${budget.heapGrowingPercent}`])];
  /** V8's heap limit is the old space asked for plus the young generation (a few tens of MiB). */
  const expectHeapOf = (probe: Probed, mib: number) => {
    expect(probe.heapLimitMiB).toBeGreaterThanOrEqual(mib);
    expect(probe.heapLimitMiB).toBeLessThan(mib + 64);
  };
  /** The heap the launcher's node (the first on PATH) gives itself when no flag sizes it. */
  const nodesOwnHeapMiB = () => Number(execFileSync('node', ['-p', 'require("node:v8").getHeapStatistics().heap_size_limit / 1048576'], { encoding: 'utf8' }));

  const budgets: Array<[string, MemoryBudget]> = Object.entries(MEMORY_BUDGETS);
  const heapVariables = budgets.flatMap(([, budget]) => (budget.heapVariable ? [budget.heapVariable] : []));
  /** Every heap variable but the command's own set to a size no budget has: a command reads only its own. */
  const othersSet = (own?: string) => Object.fromEntries(heapVariables.filter((name) => name !== own).map((name) => [name, '512']));

  it.each(budgets)('%s: the heap of its memory budget, and its malloc arenas where it has them', async (command, budget) => {
    const probe = await probed([command, '--help'], othersSet(budget.heapVariable));
    expect(heapFlags(probe)).toEqual([`--max-old-space-size=${budget.heapMiB}`]);
    // In a checkout node also gets `--import tsx`: every other flag is the budget's.
    expect(probe.execArgv.filter((flag, i, all) => flag !== '--import' && all[i - 1] !== '--import')).toEqual(budgetFlags(budget));
    expectHeapOf(probe, budget.heapMiB);
    expect(probe.mallocArenaMax).toBe(budget.mallocArenas === undefined ? null : String(budget.mallocArenas));
    // The command the process runs: the one program, from the repository root, with the command's arguments.
    expect(probe.argv).toEqual([join(ROOT, 'services/cli/main.ts'), command, '--help']);
    expect(probe.cwd).toBe(ROOT.replace(/\/$/, ''));
  });

  it.each(budgets.filter(([, budget]) => budget.heapVariable))('%s: the heap its variable asks for (empty: the budget’s; 0: Node’s own sizing)', async (command, budget) => {
    const variable = budget.heapVariable!;
    const [empty, big, zero] = await Promise.all(['', '448', '0'].map((mib) => probed([command, '--help'], { [variable]: mib })));
    expect(heapFlags(empty!)).toEqual([`--max-old-space-size=${budget.heapMiB}`]);
    expect(heapFlags(big!)).toEqual(['--max-old-space-size=448']);
    expectHeapOf(big!, 448);
    expect(zero!.heapLimitMiB).toBe(nodesOwnHeapMiB());
  });

  it('MALLOC_ARENA_MAX set in the environment wins over a budget’s arenas', async () => {
    const [command] = budgets.find(([, budget]) => budget.mallocArenas !== undefined)!;
    expect((await probed([command, '--help'], { MALLOC_ARENA_MAX: '8' })).mallocArenaMax).toBe('8');
  });

  it('every other command: Node’s own heap, whatever the heap variables say', async () => {
    const others = COMMANDS.map(({ name }) => name).filter((name) => !memoryBudgetOf(name));
    const probes = await Promise.all(others.map((name) => probed([name, '--help'], othersSet())));
    const own = nodesOwnHeapMiB();
    for (const [i, name] of others.entries()) {
      expect(heapFlags(probes[i]!), name).toEqual([]);
      expect(probes[i]!.heapLimitMiB, name).toBe(own);
      expect(probes[i]!.mallocArenaMax, name).toBeNull();
    }
  });

  it('in the image (compiled JavaScript, no sources): node runs services/cli/main.js, with the same flags and no tsx', async () => {
    // An /app as the image has it: services/cli/main.js and no main.ts (the stand-in reports how it was started).
    const app = join(scratch, 'app');
    mkdirSync(join(app, 'services', 'cli'), { recursive: true });
    writeFileSync(join(app, 'services', 'cli', 'main.js'), readFileSync(probe, 'utf8'));
    const image = (command: string, env: Record<string, string> = {}) => probed([command], { PLAYLOG_HOME: app, NODE_OPTIONS: '', ...env });
    // PLAYLOG_WATCH is for the dev image's sources: the runtime image has no tsx and ignores it.
    const [worker, api] = await Promise.all([image('worker', { WORKER_MAX_OLD_SPACE_MB: '384', PLAYLOG_WATCH: 'true' }), image('api')]);
    expect(worker.execArgv).toEqual(['--max-old-space-size=384']);
    expect(worker.argv).toEqual([join(app, 'services/cli/main.js'), 'worker']);
    expect(worker.cwd).toBe(app);
    expect(api.execArgv).toEqual(budgetFlags(MEMORY_BUDGETS.api));
    expect(api.argv).toEqual([join(app, 'services/cli/main.js'), 'api']);
  });

  it('in the dev image (Tilt, PLAYLOG_WATCH=true): tsx watch restarts the API and workers, while one-off commands still run once', async () => {
    // Sources as the dev image has them, with stand-ins for node and tsx that record how they were called.
    const dev = join(scratch, 'dev');
    mkdirSync(join(dev, 'services', 'cli'), { recursive: true });
    mkdirSync(join(dev, 'node_modules', '.bin'), { recursive: true });
    mkdirSync(join(dev, 'bin'));
    writeFileSync(join(dev, 'services', 'cli', 'main.ts'), '');
    writeFileSync(join(dev, 'services', 'cli', 'main.js'), '');
    const recorded = join(dev, 'called');
    for (const [file, name] of [[join(dev, 'node_modules', '.bin', 'tsx'), 'tsx'], [join(dev, 'bin', 'node'), 'node']] as const) {
      writeFileSync(file, `#!/bin/sh\necho "${name} $*" > "${recorded}"\n`);
      chmodSync(file, 0o755);
    }
    const called = async (args: string[], env: Record<string, string>) => {
      const run = await runPlaylog(args, { PLAYLOG_HOME: dev, PATH: `${join(dev, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...env });
      expect(run.code, run.stderr).toBe(0);
      return readFileSync(recorded, 'utf8').trim();
    };
    const heap = (command: BudgetedCommand) => budgetFlags(MEMORY_BUDGETS[command]).join(' ');
    expect(await called(['worker'], { PLAYLOG_WATCH: 'true' })).toBe(`tsx watch --clear-screen=false ${heap('worker')} services/cli/main.ts worker`);
    expect(await called(['api'], { PLAYLOG_WATCH: 'true' })).toBe(`tsx watch --clear-screen=false ${heap('api')} services/cli/main.ts api`);
    expect(await called(['migrate'], { PLAYLOG_WATCH: 'true' })).toBe(`node ${heap('migrate')} --import tsx services/cli/main.ts migrate`);
    // Sources present: they run, not a stale compiled copy beside them.
    expect(await called(['worker'], {})).toBe(`node ${heap('worker')} --import tsx services/cli/main.ts worker`);
  });
});

describe('a service started through playlog', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
  });

  it('is the node process itself (exec), and exits 0 on SIGTERM after stopping gracefully', async () => {
    // The emulator needs no database: a real service to start and stop.
    child = spawn('sh', [PLAYLOG, 'emulator'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', EMULATOR_PORT: '0', EMULATOR_USERS: '1', LOG_FORMAT: 'json', LOG_LEVEL: 'info', NODE_ENV: 'production' },
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

    // `exec`: the pid the launcher started as is now node running the service, not a shell that would swallow
    // the signal meant for it.
    const commandLine = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(commandLine).toEqual(['node', `--max-old-space-size=${MEMORY_BUDGETS.emulator.heapMiB}`, '--import', 'tsx', 'services/cli/main.ts', 'emulator']);

    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(stderr).toContain('spotify-emulator: SIGTERM received, shutting down');
    expect(lines.join('\n')).toContain('Spotify emulator stopped');
  });
});
