import { spawn, type ChildProcess } from 'node:child_process';
import { PLAYLOG } from '../../scripts/support/playlog.js';

export interface ServiceProcess {
  child: ChildProcess;
  /** Every stdout and stderr line so far (JSON log lines and runService's plain lines). */
  lines: string[];
  /** Log lines parsed as JSON (the others are skipped). */
  logs(): Array<Record<string, unknown>>;
  /** Resolves with the first line matching, or rejects after timeoutMs. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
  /** Sends a signal; resolves when the process has exited (SIGKILL after timeoutMs if it has not). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
}

/**
 * Starts one of Playlog's services as a real child process, as the image does: `playlog <service>`
 * (`sh scripts/playlog <service>`, which execs node with the flags the service is deployed with, so the child
 * is the service's own process), with exactly the environment given (plus PATH/HOME, and metrics on a free
 * loopback port unless the test names one: test files run at once, and two services on the default metrics
 * port would fail to start). `nodeOptions` adds node flags through NODE_OPTIONS (a smaller heap, say); the
 * launcher's own flags come after them and win.
 * A test that starts one stops it (`stop()`), in `afterAll` at the latest.
 */
export function spawnService(service: 'worker' | 'scheduler' | 'api' | 'emulator' | 'lake-export', env: Record<string, string>, options: { nodeOptions?: string[] } = {}): ServiceProcess {
  const child = spawn('sh', [PLAYLOG, service], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_FORMAT: 'json',
      METRICS_HOST: '127.0.0.1',
      API_METRICS_PORT: '0',
      WORKER_METRICS_PORT: '0',
      ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions.join(' ') } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const onLine = (line: string) => {
    lines.push(line);
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      parts.filter(Boolean).forEach(onLine);
    });
  }
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));

  return {
    child,
    lines,
    logs: () =>
      lines.flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    waitForLine(pattern, timeoutMs = 20_000) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; last lines:\n${lines.slice(-10).join('\n')}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`${service} exited before printing a line matching ${pattern}; last lines:\n${lines.slice(-10).join('\n')}`));
        });
      });
    },
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
