import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PLAYLOG } from '../../scripts/support/playlog.js';
import type { ScenarioContext } from './scenario.js';

export interface ChildService {
  name: string;
  pid: number;
  /** Resolves with the first stdout line (parsed as JSON when it is) that matches. */
  waitForLine(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Every stdout line seen so far that matched `keep` (see startChildService). */
  kept: LogLine[];
  /** How many stdout lines matched `count` so far (counted, not kept: for long runs). */
  counted(): number;
  /** Resident set size now, from /proc (Linux). */
  rssBytes(): number;
  /** Peak resident set size so far (VmHWM). */
  peakRssBytes(): number;
  /** The process's command line, from /proc (Linux): what a report says the service was started as. */
  commandLine(): string;
  /** Sends a signal (a bench baseline starts on SIGUSR2). */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

/** A stdout line: pino JSON when the service logs JSON, else { msg: text }. */
export type LogLine = Record<string, unknown> & { msg?: string };

const procStatusKb = (pid: number, field: 'VmRSS' | 'VmHWM') => {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
};

/**
 * Starts a process of its own with the given environment, and stops it when the scenario ends:
 *   - `command`: a Playlog service as deployed, `playlog <command>` (sh scripts/playlog, which execs node with the
 *     flags the image gives that command: the worker's heap limit, the lake export's);
 *   - `entry`: a bench's own script, `node --import tsx <entry>`.
 * `imports` and `nodeArgs` add node flags (before the launcher's, which win where both set one). With --profile,
 * the process writes a CPU profile (--cpu-prof) to the run's profile folder when it exits.
 */
export function startChildService(
  context: ScenarioContext,
  options: {
    name: string;
    env: Record<string, string>;
    imports?: string[];
    keep?: (line: LogLine) => boolean;
    count?: (line: LogLine) => boolean;
    nodeArgs?: string[];
  } & ({ command: string; entry?: never } | { entry: string; command?: never }),
): ChildService {
  // A folder per service: Node names each file by pid and thread (tsx's loader thread writes one too).
  const profile = context.profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(context.profileDir, options.name)] : [];
  const imports = (options.imports ?? []).flatMap((file) => ['--import', path.resolve(file)]);
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', LOG_FORMAT: 'json', ...options.env };
  let child: ChildProcess;
  if (options.command !== undefined) {
    // The launcher execs `node`: extra flags (some, --cpu-prof among them, are refused in NODE_OPTIONS) come from a
    // stand-in for node, first on PATH, that execs this very node with them; the process stays the service's own.
    // The imports are TypeScript: tsx is registered before them (the launcher registers it again, harmlessly).
    const extraFlags = [...profile, ...(options.nodeArgs ?? []), ...(imports.length > 0 ? ['--import', 'tsx', ...imports] : [])];
    if (extraFlags.length > 0) {
      const bin = mkdtempSync(path.join(tmpdir(), `playlog-bench-node-${options.name}-`));
      context.defer(() => rmSync(bin, { recursive: true, force: true }));
      const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
      writeFileSync(path.join(bin, 'node'), `#!/bin/sh\nexec ${[process.execPath, ...extraFlags].map(quote).join(' ')} "$@"\n`);
      chmodSync(path.join(bin, 'node'), 0o755);
      env.PATH = `${bin}${path.delimiter}${env.PATH}`;
    }
    child = spawn('sh', [PLAYLOG, options.command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  } else {
    child = spawn(process.execPath, [...profile, ...(options.nodeArgs ?? []), '--import', 'tsx', ...imports, options.entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  if (child.pid === undefined) throw new Error(`could not start ${options.name}`);
  const pid = child.pid;
  const kept: LogLine[] = [];
  let counted = 0;
  const waiters: Array<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  const stderrTail: string[] = [];
  let exitCode: number | null | undefined;

  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? null : 0);
      resolve(exitCode);
    });
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    // Parse only when someone wants the line: an API under load logs thousands a second.
    if (!options.keep && !options.count && waiters.length === 0) return;
    let line: LogLine;
    try {
      const parsed: unknown = JSON.parse(text);
      line = parsed !== null && typeof parsed === 'object' ? (parsed as LogLine) : { msg: text };
    } catch {
      line = { msg: text };
    }
    if (options.keep?.(line)) kept.push(line);
    if (options.count?.(line)) counted++;
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.match(line)) waiters.splice(i, 1)[0]!.resolve(line);
    }
  });
  createInterface({ input: child.stderr! }).on('line', (text) => {
    stderrTail.push(text);
    if (stderrTail.length > 30) stderrTail.shift();
  });

  const describeExit = () => `${options.name} (pid ${pid}) exited with ${exitCode}; stderr:\n${stderrTail.join('\n')}`;
  const service: ChildService = {
    name: options.name,
    pid,
    kept,
    counted: () => counted,
    exited,
    waitForLine(match, timeoutMs = 60_000) {
      return new Promise<LogLine>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${options.name} printed no expected line within ${timeoutMs} ms; stderr:\n${stderrTail.join('\n')}`)), timeoutMs);
        const waiter = {
          match,
          resolve: (line: LogLine) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        waiters.push(waiter);
        void exited.then(() => {
          if (!waiters.includes(waiter)) return;
          clearTimeout(timer);
          reject(new Error(describeExit()));
        });
      });
    },
    signal: (signal) => void child.kill(signal),
    rssBytes: () => procStatusKb(pid, 'VmRSS'),
    peakRssBytes: () => procStatusKb(pid, 'VmHWM'),
    commandLine: () => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      } catch {
        return `(pid ${pid} gone)`;
      }
    },
    async stop(graceMs = 30_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  context.defer(async () => {
    await service.stop(5_000);
  });
  return service;
}
