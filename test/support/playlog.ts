import { execFile } from 'node:child_process';
import { PLAYLOG } from '../../scripts/support/playlog.js';

export { PLAYLOG };

export interface PlaylogRun {
  /** The exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `playlog <args>` (as `npm run playlog -- <args>` does) to its end, with exactly the environment given plus
 * PATH and HOME, and NODE_ENV=test unless given (so that no developer's .env is read).
 */
export function runPlaylog(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<PlaylogRun> {
  return new Promise((resolve) => {
    execFile('sh', [PLAYLOG, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test', ...env }, timeout: timeoutMs }, (error, stdout, stderr) => {
      const failure = error as (Error & { code?: number | string; signal?: NodeJS.Signals | null }) | null;
      resolve({ code: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0, signal: failure?.signal ?? null, stdout, stderr });
    });
  });
}
