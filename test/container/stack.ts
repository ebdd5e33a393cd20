import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The stack under test: `docker compose --profile demo up` of the repository's docker-compose.yml, started by
 * scripts/container-test.sh under its own project name and ports (its environment says which; the defaults
 * here are the script's, for running vitest by hand against a stack the script left up).
 */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const PROJECT = process.env.CONTAINER_TEST_PROJECT ?? 'playlog-ci';
export const IMAGE = process.env.PLAYLOG_IMAGE ?? 'playlog:local';
export const API_URL = `http://127.0.0.1:${process.env.API_HOST_PORT ?? '14000'}`;
export const EMULATOR_URL = `http://127.0.0.1:${process.env.EMULATOR_HOST_PORT ?? '14100'}`;
export const DATABASE_URL = `postgres://playlog:playlog@127.0.0.1:${process.env.POSTGRES_HOST_PORT ?? '15432'}/playlog`;

/** The long-running services of the image (the ones hardened alike by compose's x-app). */
export const APP_SERVICES = ['api', 'worker', 'scheduler', 'spotify-emulator'] as const;

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never rejects, so a test can show what the command said. */
export function run(command: string, args: string[], timeoutMs = 120_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      // error.code is the exit status; a string ('ENOENT') or null (killed at the timeout) when there is none.
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr: stderr || (error?.message ?? '') });
    });
  });
}

/** `docker compose` on this project, with the demo profile (the emulator) as the script started it. */
export function compose(args: string[], timeoutMs?: number): Promise<Result> {
  // --env-file /dev/null: a developer's .env beside the file must not change what is tested.
  return run('docker', ['compose', '-p', PROJECT, '--env-file', '/dev/null', '-f', `${ROOT}/docker-compose.yml`, '--profile', 'demo', ...args], timeoutMs);
}

/** Like compose(), but a non-zero exit fails with what the command printed. */
export async function composeOk(args: string[], timeoutMs?: number): Promise<string> {
  const result = await compose(args, timeoutMs);
  if (result.code !== 0) throw new Error(`docker compose ${args.join(' ')} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** One row of `docker compose ps -a --format json`. */
export interface ServiceStatus {
  Service: string;
  State: string;
  Health: string;
  ExitCode: number;
}

export async function serviceStatuses(): Promise<ServiceStatus[]> {
  const out = (await composeOk(['ps', '-a', '--format', 'json'])).trim();
  // Compose up to 2.20 printed one JSON array; later releases print one object per line.
  if (out.startsWith('[')) return JSON.parse(out) as ServiceStatus[];
  return out ? out.split('\n').map((line) => JSON.parse(line) as ServiceStatus) : [];
}

/** The part of `docker inspect` these tests read. */
export interface ContainerState {
  Config: { User: string };
  HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] | null; SecurityOpt: string[] | null };
  State: { Status: string; ExitCode: number; StartedAt: string; FinishedAt: string; Health?: { Status: string } };
}

/** `docker inspect` of a service's (one) container. */
export async function inspectService(service: string): Promise<ContainerState> {
  const id = (await composeOk(['ps', '-a', '-q', service])).trim();
  if (!id || id.includes('\n')) throw new Error(`expected one container of ${service}, found ${JSON.stringify(id)}`);
  const result = await run('docker', ['inspect', id]);
  if (result.code !== 0) throw new Error(`docker inspect ${service}: ${result.stderr}`);
  const [state] = JSON.parse(result.stdout) as ContainerState[];
  return state!;
}

/** Polls until check() gives a value (not undefined), or fails after timeoutMs saying what it waited for. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>, everyMs = 1_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs / 1000} s waiting for ${what}${last ? `; last error: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
