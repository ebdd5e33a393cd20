import { DEFAULT_POLL_LOOKBACK_MS } from '../../services/worker/poll/poll-user.job.js';
import { benchPrefix, benchRedis, redisCpuMs } from '../support/bench-redis.js';
import type { IoStats } from '../support/io-instrumentation.js';
import { startPollRig, procCpuMs, type PollRig } from '../support/poll-rig.js';
import { atLeastRatioRow, checkRow, formatNumber, infoRow, type ResultRow } from '../support/results-table.js';
import type { LogLine } from '../support/child-service.js';
import type { Scenario, ScenarioContext } from '../support/scenario.js';
import { quantile, sleep } from '../support/stopwatch.js';

/** BENCH_POLL_USERS overrides the number of users (to explore; the targets are stated at 10,000). */
const SIZES = { small: { users: 100 }, default: { users: Number(process.env.BENCH_POLL_USERS ?? 10_000) } };
/** Jobs a worker process runs at once (WORKER_CONCURRENCY); BENCH_POLL_CONCURRENCY overrides it. */
const CONCURRENCY = Number(process.env.BENCH_POLL_CONCURRENCY ?? 32);

interface CycleResult {
  workers: number;
  pollsPerSecond: number;
  bareCallsPerSecond: number;
  failed: number;
  polled: number;
  durations: number[];
  io: { pgMs: number; pgCalls: number; redisMs: number; httpMs: number; workerCpuMs: number };
  cpu: { emulatorMs: number; postgresMs: number; redisMs: number; wallMs: number };
  rssBytes: number[];
}

const isJobLine = (line: { durationMs?: unknown; msg?: string }) => typeof line.durationMs === 'number' && typeof line.msg === 'string' && /^(polled|nothing to do|poll failed)/.test(line.msg);

const ioDelta = (before: Array<IoStats | null>, after: Array<IoStats | null>) =>
  after.reduce(
    (sum, stats, i) => {
      const start = before[i];
      if (!stats || !start) return sum;
      return {
        pgMs: sum.pgMs + stats.pg.ms - start.pg.ms,
        pgCalls: sum.pgCalls + stats.pg.calls - start.pg.calls,
        redisMs: sum.redisMs + stats.redis.ms - start.redis.ms,
        httpMs: sum.httpMs + stats.http.ms - start.http.ms,
        workerCpuMs: sum.workerCpuMs + stats.cpuMs - start.cpuMs,
      };
    },
    { pgMs: 0, pgCalls: 0, redisMs: 0, httpMs: 0, workerCpuMs: 0 },
  );

/** How a cycle's workers run: a name for the cycle, their extra environment, and what runs beside them while they poll. */
export interface CycleOptions {
  /** Tells cycles of the same number of workers apart (their queue prefix and scratch files). */
  label?: string;
  env?: Record<string, string>;
  /** Started once the workers are ready (a scraper of their /metrics); stopped when the last poll is done. */
  beside?: (readyLines: LogLine[]) => () => Promise<void>;
}

const isReadyLine = (line: LogLine) => line.msg === 'worker ready';

/** One measured cycle: N workers waiting, one scheduler run enqueues everyone, until the last poll is done. */
export async function pollCycle(context: ScenarioContext, rig: PollRig, workers: number, concurrency: number, options: CycleOptions = {}): Promise<CycleResult> {
  const redis = await benchRedis(context);
  await rig.reset();
  // The workers start meanwhile: they wait on an empty queue, costing the bare loop nothing.
  // A fresh queue per cycle: the scheduler's job ids are per time slot, so a second cycle on the same queue would add none.
  const name = `${workers}${options.label ? `-${options.label}` : ''}`;
  const prefix = benchPrefix(context, redis, `poll-${name}`);
  const starting = rig.startWorkers(workers, {
    prefix,
    concurrency,
    keep: (line) => isJobLine(line) || isReadyLine(line),
    label: `cycle${name}`,
    ...(options.env ? { env: options.env } : {}),
  });
  context.log(`bare loop: ${workers} process(es) × ${concurrency} concurrent calls`);
  const bare = await rig.bareLoop(workers, concurrency);
  if (bare.errors) throw new Error(`the bare loop got ${bare.errors} non-200 answers`);
  const running = await starting;
  const stopBeside = options.beside?.(running.flatMap((worker) => worker.service.kept.filter(isReadyLine)));
  await sleep(600);
  const ioBefore = running.map((worker) => worker.ioStats());
  const cpuBefore = { emulatorMs: procCpuMs(rig.emulatorService.pid), postgresMs: await rig.backendCpuMs(), redisMs: await redisCpuMs(redis), at: Date.now() };
  const since = new Date();
  context.log(`${workers} worker(s) × concurrency ${concurrency}: scheduler run`);
  const scheduled = await rig.runScheduler(prefix);
  const done = await rig.waitUntilPolled(since, 600_000);
  await stopBeside?.();
  const cpuAfter = { emulatorMs: procCpuMs(rig.emulatorService.pid), postgresMs: await rig.backendCpuMs(), redisMs: await redisCpuMs(redis), at: Date.now() };
  await sleep(600);
  const ioAfter = running.map((worker) => worker.ioStats());
  const rssBytes = running.map((worker) => worker.service.rssBytes());
  const durations = running.flatMap((worker) => worker.service.kept.filter(isJobLine).map((line) => Number(line.durationMs)));
  await Promise.all(running.map((worker) => worker.service.stop()));
  return {
    workers,
    pollsPerSecond: (rig.userIds.length / (done.lastAt - scheduled.startedAt)) * 1000,
    bareCallsPerSecond: (bare.calls / bare.ms) * 1000,
    failed: done.failed,
    polled: done.succeeded + done.failed,
    durations,
    io: ioDelta(ioBefore, ioAfter),
    cpu: {
      emulatorMs: cpuAfter.emulatorMs - cpuBefore.emulatorMs,
      postgresMs: cpuAfter.postgresMs - cpuBefore.postgresMs,
      redisMs: cpuAfter.redisMs - cpuBefore.redisMs,
      wallMs: cpuAfter.at - cpuBefore.at,
    },
    rssBytes,
  };
}

const ms = (value: number) => `${formatNumber(value)} ms`;
const mib = (bytes: number) => `${formatNumber(bytes / 2 ** 20)} MiB`;

/** CPU one poll costs across the processes involved, and the rate two cores could sustain at that cost. */
function cpuPerPollRow(label: string, cycle: CycleResult): ResultRow {
  const per = (totalMs: number) => totalMs / cycle.polled;
  const parts = { worker: per(cycle.io.workerCpuMs), emulator: per(cycle.cpu.emulatorMs), Postgres: per(cycle.cpu.postgresMs), Redis: per(cycle.cpu.redisMs) };
  const total = Object.values(parts).reduce((sum, value) => sum + value, 0);
  return infoRow(
    `${label}: CPU per poll, all processes`,
    `${ms(total)}: ${Object.entries(parts)
      .map(([name, value]) => `${name} ${formatNumber(value)}`)
      .join(', ')}`,
    `2 cores at that cost: ${formatNumber(2_000 / total)} polls/s`,
  );
}

function cycleRows(cycle: CycleResult, options: { absoluteTarget: number | null }): ResultRow[] {
  const label = `${cycle.workers} worker process${cycle.workers > 1 ? 'es' : ''}`;
  const jobs = cycle.durations.length || 1;
  const slotMs = cycle.durations.reduce((s, d) => s + d, 0) / jobs + cycle.io.redisMs / jobs;
  const share = (value: number) => `${formatNumber((value / jobs / slotMs) * 100)}%`;
  const rows: ResultRow[] = [
    atLeastRatioRow({
      figure: `poll cycle, ${label}`,
      value: cycle.pollsPerSecond,
      unit: 'polls/s',
      baselineName: 'bare loop',
      baselineValue: cycle.bareCallsPerSecond,
      minRatio: 0.5,
    }),
  ];
  if (options.absoluteTarget !== null) {
    rows.push(
      checkRow({ figure: `poll cycle, ${label}: absolute rate`, measured: `${formatNumber(cycle.pollsPerSecond)} polls/s`, target: `≥ ${options.absoluteTarget}`, pass: cycle.pollsPerSecond >= options.absoluteTarget }),
    );
  }
  rows.push(
    checkRow({ figure: `${label}: users polled, failed`, measured: `${cycle.polled.toLocaleString('en-US')}, ${cycle.failed} failed`, target: 'all, 0 failed', pass: cycle.failed === 0 }),
    infoRow(`${label}: job duration p50 / p99`, `${ms(quantile(cycle.durations, 0.5))} / ${ms(quantile(cycle.durations, 0.99))}`),
    infoRow(
      `${label}: a job's time (per job)`,
      `Spotify ${ms(cycle.io.httpMs / jobs)} (${share(cycle.io.httpMs)}), Postgres ${ms(cycle.io.pgMs / jobs)} (${share(cycle.io.pgMs)}), Redis ${ms(cycle.io.redisMs / jobs)} (${share(cycle.io.redisMs)})`,
      `worker CPU ${ms(cycle.io.workerCpuMs / jobs)}, ${formatNumber(cycle.io.pgCalls / jobs)} Postgres queries per job`,
    ),
    infoRow(
      `${label}: CPU over the cycle (2 cores = ${formatNumber((2 * cycle.cpu.wallMs) / 1000)} s)`,
      `worker ${formatNumber(cycle.io.workerCpuMs / 1000)} s, emulator ${formatNumber(cycle.cpu.emulatorMs / 1000)} s, Postgres ${formatNumber(cycle.cpu.postgresMs / 1000)} s, Redis ${formatNumber(cycle.cpu.redisMs / 1000)} s`,
    ),
    cpuPerPollRow(label, cycle),
    infoRow(`${label}: worker RSS after the cycle`, cycle.rssBytes.map(mib).join(', ')),
  );
  return rows;
}

export const pollCycleScenario: Scenario = {
  name: 'poll-cycle',
  title: 'poll cycle: one scheduler run, every user polled by N worker processes',
  async run(context) {
    const { users } = SIZES[context.size];
    context.log(`starting the emulator with ${users.toLocaleString('en-US')} users and storing their credentials`);
    const rig = await startPollRig(context, { label: 'poll_cycle', users, latencyMs: 0 });
    const one = await pollCycle(context, rig, 1, CONCURRENCY);
    const two = await pollCycle(context, rig, 2, CONCURRENCY);
    return {
      rows: [...cycleRows(one, { absoluteTarget: 500 }), ...cycleRows(two, { absoluteTarget: null })],
      notes: [
        `${users.toLocaleString('en-US')} users, WORKER_CONCURRENCY=${CONCURRENCY} per process (BENCH_POLL_CONCURRENCY), DATABASE_POOL_MAX=10 (default), limiter off; each poll reads from its cursor (5 minutes before the emulator's now) less the worker's lookback (${DEFAULT_POLL_LOOKBACK_MS / 3_600_000} h): up to 50 plays, none stored before the cycle — a first poll of the day's plays, not the steady state (docs/benchmarks.md)`,
        'rate = users / (scheduler run start → last poll_state.last_polled_at); the bare loop runs in as many processes with the same concurrency',
        "a job's time: summed waits per job measured inside the worker (bench/support/io-instrumentation.ts); Redis is BullMQ's own traffic (fetch, lock, complete), between jobs",
        'CPU: Redis is the whole server (shared with anything else using it); Postgres counts the backends of this database',
      ],
    };
  },
};
