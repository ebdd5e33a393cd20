/**
 * Loaded into a service under benchmark with `node --import tsx --import bench/support/io-instrumentation.ts`:
 * it changes nothing the service does, and adds up how long the process waited on Postgres (every
 * pg query), Redis (every command or pipeline, blocking waits for new jobs excepted) and HTTP (fetch,
 * i.e. Spotify), with its CPU time and memory. Written as JSON to BENCH_IO_STATS_FILE every 500 ms, at
 * exit and on SIGUSR2 (after a forced GC when started with --expose-gc); the bench reads differences.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import pg from 'pg';

export interface IoStats {
  at: number;
  pg: { calls: number; ms: number };
  redis: { calls: number; ms: number };
  http: { calls: number; ms: number };
  cpuMs: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  eventLoopUtilization: number;
}

const totals = { pg: { calls: 0, ms: 0 }, redis: { calls: 0, ms: 0 }, http: { calls: 0, ms: 0 } };
const record = (kind: keyof typeof totals, started: number) => {
  totals[kind].calls++;
  totals[kind].ms += performance.now() - started;
};
type AnyFunction = (...args: unknown[]) => unknown;
const isThenable = (value: unknown): value is Promise<unknown> => typeof (value as { then?: unknown } | null)?.then === 'function';

// pg: knex passes a callback, pools and most code use the promise.
const pgPrototype = pg.Client.prototype as unknown as { query: AnyFunction };
const pgQuery = pgPrototype.query;
pgPrototype.query = function timedQuery(this: unknown, ...args: unknown[]) {
  const started = performance.now();
  const last = args.length - 1;
  if (typeof args[last] === 'function') {
    const callback = args[last] as AnyFunction;
    args[last] = (...results: unknown[]) => {
      record('pg', started);
      return callback(...results);
    };
    return pgQuery.apply(this, args);
  }
  const result = pgQuery.apply(this, args);
  if (isThenable(result)) void result.then(() => record('pg', started), () => record('pg', started));
  return result;
};

// Redis: commands one by one; a pipeline (commands sent with a stream) counts once, through exec.
const BLOCKING = new Set(['bzpopmin', 'bzpopmax', 'brpoplpush', 'blmove', 'brpop', 'blpop', 'xread']);
const redisPrototype = Redis.prototype as unknown as { sendCommand: AnyFunction; pipeline: AnyFunction; multi: AnyFunction };
const sendCommand = redisPrototype.sendCommand;
redisPrototype.sendCommand = function timedCommand(this: unknown, ...args: unknown[]) {
  const command = args[0] as { name?: string; promise?: Promise<unknown> };
  const inPipeline = args[1] !== undefined;
  const result = sendCommand.apply(this, args);
  if (!inPipeline && command?.promise && !BLOCKING.has(String(command.name).toLowerCase())) {
    const started = performance.now();
    void command.promise.then(() => record('redis', started), () => record('redis', started));
  }
  return result;
};
for (const method of ['pipeline', 'multi'] as const) {
  const original = redisPrototype[method];
  redisPrototype[method] = function timedBatch(this: unknown, ...args: unknown[]) {
    const batch = original.apply(this, args) as { exec: AnyFunction };
    const exec = batch.exec;
    batch.exec = function timedExec(this: unknown, ...execArgs: unknown[]) {
      const started = performance.now();
      const result = exec.apply(this, execArgs);
      if (isThenable(result)) void result.then(() => record('redis', started), () => record('redis', started));
      return result;
    };
    return batch;
  };
}

// HTTP: until the body is read (text/json/arrayBuffer), or until the answer when it is never read.
const originalFetch = globalThis.fetch;
globalThis.fetch = async function timedFetch(...args: Parameters<typeof fetch>) {
  const started = performance.now();
  let response: Response;
  try {
    response = await originalFetch(...args);
  } catch (error) {
    record('http', started);
    throw error;
  }
  let counted = false;
  for (const method of ['text', 'json', 'arrayBuffer'] as const) {
    const read = response[method].bind(response) as () => Promise<unknown>;
    (response as unknown as Record<string, () => Promise<unknown>>)[method] = () =>
      read().finally(() => {
        if (!counted) record('http', started);
        counted = true;
      });
  }
  return response;
};

const file = process.env.BENCH_IO_STATS_FILE;
const firstLoop = performance.eventLoopUtilization();
const snapshot = (): IoStats => {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    at: Date.now(),
    ...structuredClone(totals),
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
    arrayBuffersBytes: memory.arrayBuffers,
    eventLoopUtilization: performance.eventLoopUtilization(firstLoop).utilization,
  };
};
if (file) {
  // Written aside and renamed over the file: a reader never sees it half written (or empty, between
  // writeFileSync's truncate and its write: it crashed the memory scenario once).
  const write = () => {
    writeFileSync(`${file}.tmp`, JSON.stringify(snapshot()));
    renameSync(`${file}.tmp`, file);
  };
  setInterval(write, 500).unref();
  process.on('exit', write);
  // SIGUSR2: a full garbage collection first (when started with --expose-gc), then a snapshot, so two
  // memory readings compare live data rather than whatever garbage happened to be waiting.
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    write();
  });
}
