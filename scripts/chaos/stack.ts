import { join } from 'node:path';
import { Children, type Child } from '../support/children.js';
import { getJson, runToEnd, waitFor } from './http.js';
import type { ChaosOptions } from './options.js';
import { PrivatePostgres, PrivateRedis, freePort } from './private-infra.js';

export const QUEUE_PREFIX = 'chaos';
export const SCHEDULER_LOOP_SECONDS = 10;

/** The `playlog` command of each role (started as the image starts it: the worker with its heap limit). */
const COMMANDS = {
  emulator: 'emulator',
  api: 'api',
  worker: 'worker',
  scheduler: 'scheduler',
} as const;

/**
 * Everything a chaos run starts: a Postgres and a Redis of its own on spare ports, the emulator, the API,
 * two workers and (later) the scheduler, as real processes. A process that exits on its own is restarted,
 * as Kubernetes would, and counted; one the run kills on purpose is not.
 */
export class ChaosStack {
  readonly apiUrl: string;
  readonly emulatorUrl: string;
  /** Processes that exited on their own (restarted), for the report. */
  readonly unexpectedExits: Array<{ child: Child; code: number | null }> = [];
  readonly children: Children;
  private readonly roles = new Map<string, { command: string; live: Child }>();
  private readonly expectedExits = new Set<number>();
  private serial = 0;

  private constructor(
    readonly env: NodeJS.ProcessEnv,
    readonly postgres: PrivatePostgres,
    readonly redis: PrivateRedis,
    ports: { api: number; emulator: number },
    logDir: string,
    private readonly say: (message: string) => void,
  ) {
    this.apiUrl = `http://127.0.0.1:${ports.api}`;
    this.emulatorUrl = `http://127.0.0.1:${ports.emulator}`;
    this.children = new Children(logDir, (child, code) => {
      if (child.process.pid !== undefined && this.expectedExits.has(child.process.pid)) return;
      this.unexpectedExits.push({ child, code });
      this.say(`!! ${child.name} exited on its own (code ${code}); restarting it`);
      const role = child.name.replace(/-\d+$/, '');
      const entry = this.roles.get(role);
      if (entry) setTimeout(() => this.startRole(role, entry.command), 500);
    });
  }

  /** Private Postgres and Redis, migrations, the emulator, the API and two workers; cleanups registered with `defer`. */
  static async start(options: ChaosOptions, root: string, dirs: { logs: string; scratch: string }, defer: (step: () => Promise<void> | void) => void, say: (message: string) => void): Promise<ChaosStack> {
    const postgres = await PrivatePostgres.create(dirs.scratch, join(dirs.logs, 'postgres.log'));
    defer(() => postgres.stop());
    const redis = await PrivateRedis.create(dirs.scratch, join(dirs.logs, 'redis.log'));
    defer(() => redis.stop());
    say(`private Postgres on :${postgres.port}, Redis on :${redis.port}`);

    const ports = { api: await freePort(), emulator: await freePort() };
    const stack = new ChaosStack(chaosEnvironment(options, postgres, redis, ports), postgres, redis, ports, dirs.logs, say);
    defer(() => stack.children.stopAll(8_000));

    await runToEnd(root, stack.env, 'migrate');
    await stack.waitForHttp(`${stack.emulatorUrl}/healthz`, stack.startRole('emulator', COMMANDS.emulator));
    await stack.waitForHttp(`${stack.apiUrl}/readyz`, stack.startRole('api', COMMANDS.api));
    stack.startRole('worker-a', COMMANDS.worker);
    stack.startRole('worker-b', COMMANDS.worker);
    return stack;
  }

  /** The emulator's synthetic listeners (Spotify user ids). */
  async listenerIds(): Promise<string[]> {
    return ((await getJson(`${this.emulatorUrl}/admin/users`)) as Array<{ id: string }>).map((user) => user.id);
  }

  startScheduler(): void {
    this.startRole('scheduler', COMMANDS.scheduler);
  }

  /** Starts (or replaces) the process of a role: `playlog <command>`, with the node flags it is deployed with. */
  startRole(role: string, command: string): Child {
    const live = this.children.start(`${role}-${++this.serial}`, command, this.env);
    this.roles.set(role, { command, live });
    return live;
  }

  role(role: string): { command: string; live: Child } | undefined {
    return this.roles.get(role);
  }

  /** Stops a role for good (it is not restarted). */
  retire(role: string, signal: NodeJS.Signals): void {
    const entry = this.roles.get(role);
    this.roles.delete(role);
    if (entry) this.kill(entry.live, signal);
  }

  /** Kills a process on purpose: its exit is not counted as unexpected. */
  kill(child: Child, signal: NodeJS.Signals): void {
    if (child.process.pid !== undefined) this.expectedExits.add(child.process.pid);
    child.process.kill(signal);
  }

  liveWorkers(): Array<[string, { command: string; live: Child }]> {
    return [...this.roles.entries()].filter(([role, entry]) => role.startsWith('worker') && entry.live.process.exitCode === null && entry.live.process.signalCode === null);
  }

  private async waitForHttp(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
    await waitFor(`${child.name} at ${url}`, timeoutMs, async () => {
      if (child.process.exitCode !== null) throw new Error(`${child.name} exited:\n${this.children.tail(child)}`);
      return (await fetch(url)).ok;
    });
  }
}

function chaosEnvironment(options: ChaosOptions, postgres: PrivatePostgres, redis: PrivateRedis, ports: { api: number; emulator: number }): NodeJS.ProcessEnv {
  const apiUrl = `http://127.0.0.1:${ports.api}`;
  const emulatorUrl = `http://127.0.0.1:${ports.emulator}`;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
    DATABASE_URL: postgres.url,
    DATABASE_POOL_MAX: '5',
    REDIS_URL: redis.url,
    QUEUE_PREFIX,
    TOKEN_ENCRYPTION_KEYS: `chaos:${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')}`,
    API_HOST: '127.0.0.1',
    API_PORT: String(ports.api),
    // Several APIs and workers run at once: each one's metrics and probes on a free port of loopback.
    METRICS_HOST: '127.0.0.1',
    API_METRICS_PORT: '0',
    WORKER_METRICS_PORT: '0',
    PUBLIC_URL: apiUrl,
    // The run logs 200 users in from one address: the per-IP GraphQL limit is tested in test/api.
    RATE_LIMIT_GRAPHQL: '0',
    SPOTIFY_ACCOUNTS_URL: `${emulatorUrl}/accounts`,
    SPOTIFY_API_URL: `${emulatorUrl}/v1`,
    SPOTIFY_CLIENT_ID: 'playlog-chaos',
    SPOTIFY_CLIENT_SECRET: `chaos-secret-${options.seed}-${Math.random().toString(36).slice(2)}`,
    SPOTIFY_REDIRECT_URI: `${apiUrl}/auth/callback`,
    SPOTIFY_HTTP_TIMEOUT_MS: '3000',
    EMULATOR_HOST: '127.0.0.1',
    EMULATOR_PORT: String(ports.emulator),
    EMULATOR_USERS: String(options.users),
    EMULATOR_SEED: `chaos-${options.seed}`,
    // Fast listeners (the emulator's maximum rates) so a short run sees many new plays.
    EMULATOR_PLAYS_PER_HOUR_MIN: '30',
    EMULATOR_PLAYS_PER_HOUR_MAX: '60',
    // Short access tokens: with the clock sped up each expires several times in a run, earlier than the
    // worker (on the wall clock) expects, so every user goes through 401 → refresh → rotated refresh token, under faults.
    EMULATOR_ACCESS_TOKEN_TTL_SECONDS: '1200',
    POLL_INTERVAL_SECONDS: '20',
    SCHEDULER_LOOP_SECONDS: String(SCHEDULER_LOOP_SECONDS),
    // Small batches: a scheduler run takes several round trips, so a kill can land in the middle of one.
    SCHEDULER_BATCH_SIZE: '20',
    WORKER_CONCURRENCY: '8',
    WORKER_SHUTDOWN_GRACE_MS: '5000',
    WORKER_LOCK_DURATION_MS: '10000',
    WORKER_STALLED_INTERVAL_MS: '5000',
    WORKER_BACKOFF_BASE_MS: '500',
    WORKER_BACKOFF_MAX_MS: '8000',
  };
}
