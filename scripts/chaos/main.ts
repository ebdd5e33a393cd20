/**
 * `npm run chaos`: Playlog under faults, then a check that nothing was lost, nothing doubled and nothing
 * leaked (docs/reliability.md explains the faults and the checks; `--help` lists the options).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { EXIT, runCommandLine } from '../../services/shared/cli/command-line.js';
import { openOrm } from '../../services/features/open-orm.js';
import { countUsersEverPolled } from '../../services/features/polling/data/poll-state.repository.js';
import { openQueues } from '../../services/shared/jobs/open-queues.js';
import { loginSyntheticListener, type DemoSession } from '../support/synthetic-login.js';
import { probeApi } from './api-probe.js';
import { verifyRun } from './checks.js';
import { runCleanCycle } from './clean-cycle.js';
import { accelerateClock } from './emulator-clock.js';
import { FAULT_KINDS, planFaults, seededRandom, type FaultKind } from './fault-plan.js';
import { getJson, sleep, waitFor } from './http.js';
import { FaultInjector } from './inject-fault.js';
import { CHAOS_USAGE, parseChaosArgs, type ChaosOptions } from './options.js';
import { formatReport } from './report.js';
import { ChaosStack, QUEUE_PREFIX } from './stack.js';

const root = new URL('../../', import.meta.url).pathname;
const startedAt = Date.now();
const say = (message: string) => console.log(`[${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}`);

/** Every cleanup step registered here runs once, in reverse, whatever ends the run. */
const cleanups: Array<() => Promise<void> | void> = [];
let cleaningUp: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaningUp ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        console.error(`chaos: cleanup step failed: ${(error as Error).message}`);
      }
    }
  })();
  return cleaningUp;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\nchaos: ${signal}: stopping everything it started…`);
    void cleanup().then(() => process.exit(130));
  });
}

runCommandLine('chaos', CHAOS_USAGE, async (argv) => {
  const options = parseChaosArgs(argv);
  try {
    return await chaosRun(options);
  } finally {
    await cleanup();
  }
});

async function chaosRun(options: ChaosOptions): Promise<number> {
  const { minutes, users: userCount, speed, seed } = options;
  say(`chaos run: ${minutes} min of faults, ${userCount} listeners, clock ×${speed}, seed ${seed} (replay: npm run chaos -- --minutes ${minutes} --users ${userCount} --speed ${speed} --seed ${seed})`);
  const logDir = join(root, '.services', 'chaos', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(logDir, { recursive: true });
  const scratch = mkdtempSync(join(tmpdir(), 'playlog-chaos-'));
  cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
  say(`logs: ${logDir}`);

  // 1. Playlog, on a Postgres and a Redis of the run's own.
  const stack = await ChaosStack.start(options, root, { logs: logDir, scratch }, (step) => cleanups.push(step), say);
  const orm = await openOrm({ DATABASE_URL: stack.postgres.url, DATABASE_POOL_MAX: 3 });
  cleanups.push(() => orm.close(true));

  // 2. Every listener logs in through the API's OAuth flow; their first polls backfill what Spotify keeps.
  const listeners = await stack.listenerIds();
  say(`logging ${listeners.length} synthetic listeners in through the API's OAuth flow`);
  const sessions = new Map<string, DemoSession>();
  await inBatches(listeners, 8, async (id) => sessions.set(id, await loginSyntheticListener(stack.apiUrl, id)));
  say('waiting for every listener’s first poll (the backfill of their last 50 plays)');
  await waitFor('first polls', 180_000, async () => (await countUsersEverPolled(orm.em.fork())) >= listeners.length);
  stack.startScheduler();

  // 3. Faults, at moments drawn from the seed, while the API is read all along and the clock runs fast.
  const random = seededRandom(seed);
  const plan = planFaults(random, minutes * 60_000);
  say(`fault phase: ${plan.length} faults over ${minutes} min`);
  const faults = new FaultInjector(stack, listeners, random);
  const injected = new Map<FaultKind, number>(FAULT_KINDS.map((kind) => [kind, 0]));
  const notes: string[] = [];
  const probe = probeApi(stack.apiUrl, [...sessions.values()]);
  const clock = accelerateClock(stack.emulatorUrl, speed);
  const faultStart = Date.now();
  for (const fault of plan) {
    const wait = faultStart + fault.atMs - Date.now();
    if (wait > 0) await sleep(wait);
    try {
      say(`fault ${fault.kind}: ${await faults.inject(fault.kind)}`);
      injected.set(fault.kind, (injected.get(fault.kind) ?? 0) + 1);
    } catch (error) {
      notes.push(`could not inject ${fault.kind}: ${(error as Error).message}`);
      say(`!! could not inject ${fault.kind}: ${(error as Error).message}`);
    }
  }
  const remaining = faultStart + minutes * 60_000 - Date.now();
  if (remaining > 0) await sleep(remaining);

  // 4. Faults off, then one clean cycle: every active user polled once more with the clock frozen.
  say('faults off: emulator faults reset, waiting for a clean cycle');
  await faults.clear();
  stack.retire('scheduler', 'SIGTERM');
  const apiReport = await probe.stop();
  await clock.stop();
  const queueRedis = new Redis(stack.redis.url, { maxRetriesPerRequest: null });
  queueRedis.on('error', () => undefined); // reconnects by itself; the checks below fail if it cannot
  cleanups.push(() => void queueRedis.disconnect());
  const queues = openQueues(queueRedis, QUEUE_PREFIX);
  cleanups.push(() => queues.close());
  const cleanCycle = await runCleanCycle(orm, queues, stack.emulatorUrl, notes);
  say(`clean cycle done, emulator clock frozen at ${new Date(cleanCycle.frozenAtMs).toISOString()}`);

  // 5. The verdict against the emulator's ground truth, and the report.
  say('verifying against the emulator’s ground truth');
  const verification = await verifyRun({
    orm,
    queues,
    redis: queueRedis,
    emulatorUrl: stack.emulatorUrl,
    logDir,
    listeners,
    sessions: [...sessions.values()],
    revoked: faults.revoked,
    startedAt,
    cleanCycle,
    emulatorTime: clock.emulatorTime,
  });
  const stats = (await getJson(`${stack.emulatorUrl}/admin/stats`)) as { faults?: Record<string, number> };
  const report = formatReport({
    options,
    listeners: listeners.length,
    injected,
    emulatorFaults: stats.faults ?? {},
    verification,
    api: apiReport,
    revoked: faults.revoked,
    // Read at the end: the log pipe may not have flushed when the exit was seen.
    unexpectedExits: stack.unexpectedExits.map(({ child, code }) => ({ child, code, tail: stack.children.tail(child, 1) })),
    notes,
  });
  console.log(report.text);
  return report.passed ? EXIT.ok : EXIT.error;
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}
