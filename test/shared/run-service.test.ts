import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Starts the fixture service, sends SIGTERM once it prints "starting", and returns its output and exit code. */
async function signalWhileStarting(env: Record<string, string>): Promise<{ output: string; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/shared/fixtures/slow-starting-service.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', START_MS: '1500', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const wasStarting = output.includes('starting\n');
      output += chunk;
      if (!wasStarting && output.includes('starting\n')) child.kill('SIGTERM');
    });
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await exited;
  clearTimeout(timer);
  return { output, code };
}

describe('a SIGTERM while a service is still starting', () => {
  it('exits at once by default: the work of a one-shot command is safe to cut', async () => {
    const { output, code } = await signalWhileStarting({});
    expect(code).toBe(0);
    expect(output).toContain('slow-start: SIGTERM received, shutting down');
    expect(output).not.toContain('started\n');
  });

  it('with stop-once-started, lets start-up finish and then stops gracefully (a worker that already holds jobs)', async () => {
    const { output, code } = await signalWhileStarting({ SIGNAL_WHILE_STARTING: 'stop-once-started' });
    expect(code).toBe(0);
    const order = ['SIGTERM received', 'still starting; stopping once started', 'started\n', 'stopped gracefully'].map((line) => output.indexOf(line));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('with stop-once-started, a start-up that then fails still exits 1 and says why', async () => {
    const { output, code } = await signalWhileStarting({ SIGNAL_WHILE_STARTING: 'stop-once-started', START_FAILS: '1' });
    expect(code).toBe(1);
    expect(output).toContain('slow-start: failed to start: the database is not there');
    expect(output).not.toContain('stopped gracefully');
  });
});
