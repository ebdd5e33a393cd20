import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLAYLOG } from './playlog.js';

export interface Child {
  name: string;
  process: ChildProcess;
  logFile: string;
}

/**
 * The processes the demo and the chaos run start. Their output goes to log files so the terminal stays
 * readable; stopAll() ends them in reverse order (SIGTERM, then SIGKILL after a grace period).
 */
export class Children {
  private readonly children: Child[] = [];
  private stopping = false;

  constructor(
    private readonly logDir: string,
    private readonly onUnexpectedExit: (child: Child, code: number | null) => void,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  /** Starts `playlog <command>` (a service, as the image runs it: the worker with its heap limit). */
  start(name: string, command: string, env: NodeJS.ProcessEnv): Child {
    const logFile = join(this.logDir, `${name}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn('sh', [PLAYLOG, command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const entry = { name, process: child, logFile };
    this.children.push(entry);
    child.on('exit', (code) => {
      if (!this.stopping) this.onUnexpectedExit(entry, code);
    });
    return entry;
  }

  pids(): number[] {
    return this.children.map((c) => c.process.pid).filter((pid): pid is number => pid !== undefined);
  }

  tail(child: Child, lines = 15): string {
    try {
      return readFileSync(child.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    for (const child of [...this.children].reverse()) {
      await stop(child.process, graceMs);
    }
  }
}

function stop(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
