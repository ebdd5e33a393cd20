import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, copyFileSync, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/**
 * Postgres and Redis of the chaos run's own, on spare ports, so the run can kill and restart them without
 * touching the shared ones other people's tests use (5432 / 6379).
 */

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function pgBinDir(): string {
  const found = spawnSync('bash', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('Postgres binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  return found;
}

/** Postgres refuses to run as root: as root, its commands run as the `postgres` system user. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function run(command: string, args: string[], what: string): void {
  const [cmd, cmdArgs] = asPostgres(command, args);
  const result = spawnSync(cmd, cmdArgs, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${what} failed (${result.status}): ${(result.stderr || result.stdout).trim()}`);
}

export class PrivatePostgres {
  readonly url: string;
  private readonly logFile: string;
  private readonly bin = pgBinDir();
  private readonly dataDir: string;

  private constructor(
    private readonly dir: string,
    readonly port: number,
    private readonly keepLogAt: string,
  ) {
    this.dataDir = join(dir, 'data');
    // Written by the postgres user, so inside its own directory; copied next to the other logs on stop().
    this.logFile = join(dir, 'postgres.log');
    this.url = `postgres://playlog:playlog@127.0.0.1:${port}/playlog`;
  }

  static async create(baseDir: string, logFile: string): Promise<PrivatePostgres> {
    const dir = join(baseDir, 'postgres');
    mkdirSync(dir, { recursive: true });
    if (process.getuid?.() === 0) {
      const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      chownSync(dir, Number(ids.stdout), Number(gids.stdout));
      chownSync(baseDir, Number(ids.stdout), Number(gids.stdout));
    }
    const instance = new PrivatePostgres(dir, await freePort(), logFile);
    run(join(instance.bin, 'initdb'), ['-D', instance.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], 'initdb');
    await instance.start();
    // Trust authentication (initdb above): the role needs no password; Playlog's URL gives one anyway.
    const server = ['-h', '127.0.0.1', '-p', String(instance.port), '-U', 'postgres'];
    run(join(instance.bin, 'createuser'), [...server, '--createdb', 'playlog'], 'createuser');
    run(join(instance.bin, 'createdb'), [...server, '--owner', 'playlog', 'playlog'], 'createdb');
    return instance;
  }

  async start(): Promise<void> {
    // fsync off: the run kills Postgres' processes, never the machine, so the OS still holds every write.
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off -c max_connections=200`;
    run(join(this.bin, 'pg_ctl'), ['-D', this.dataDir, '-l', this.logFile, '-o', options, '-w', '-t', '60', 'start'], 'pg_ctl start');
    await this.waitReady();
  }

  /** `fast`: a clean shutdown (connections are cut); `immediate`: like a crash, with WAL recovery on start. */
  async restart(mode: 'fast' | 'immediate', downMs: number): Promise<void> {
    run(join(this.bin, 'pg_ctl'), ['-D', this.dataDir, '-m', mode, '-w', 'stop'], 'pg_ctl stop');
    await sleep(downMs);
    await this.start();
  }

  private async waitReady(): Promise<void> {
    for (let i = 0; i < 120; i++) {
      const probe = spawnSync(join(this.bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(this.port), '-t', '1']);
      if (probe.status === 0) return;
      await sleep(250);
    }
    throw new Error(`private Postgres on port ${this.port} did not come up (see ${this.logFile})`);
  }

  stop(): void {
    const [cmd, args] = asPostgres(join(this.bin, 'pg_ctl'), ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    spawnSync(cmd, args);
    try {
      copyFileSync(this.logFile, this.keepLogAt);
    } catch {
      // no log yet
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class PrivateRedis {
  readonly url: string;
  private process: ChildProcess | undefined;
  private readonly dataDir: string;

  private constructor(
    baseDir: string,
    readonly port: number,
    private readonly logFile: string,
  ) {
    this.dataDir = join(baseDir, 'redis');
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async create(baseDir: string, logFile: string): Promise<PrivateRedis> {
    const instance = new PrivateRedis(baseDir, await freePort(), logFile);
    await instance.start();
    return instance;
  }

  /** Persistence by append-only file; noeviction as BullMQ requires. */
  async start(): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true });
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dataDir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // Two streams into one file: neither may end it (the first to end would make the other's next write an
    // error that crashes the run); the file is closed once the process has exited and both are drained.
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once('close', () => log.end());
    this.process = child;
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined); // refused until it listens: the loop below retries
    try {
      for (let i = 0; i < 120; i++) {
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} (see ${this.logFile})`);
        try {
          await probe.connect();
          await probe.ping();
          return;
        } catch {
          probe.disconnect();
          await sleep(100);
        }
      }
      throw new Error(`private Redis on port ${this.port} did not come up`);
    } finally {
      probe.disconnect();
    }
  }

  /**
   * `persistent`: SIGTERM, Redis writes its append-only file, and comes back with every job.
   * `wiped`: SIGKILL and the data removed: Redis comes back empty, as a cache node without persistence
   * would; the next scheduler run must refill the queue.
   */
  async restart(mode: 'persistent' | 'wiped', downMs: number): Promise<void> {
    await this.kill(mode === 'persistent' ? 'SIGTERM' : 'SIGKILL');
    if (mode === 'wiped') rmSync(this.dataDir, { recursive: true, force: true });
    await sleep(downMs);
    await this.start();
  }

  private kill(signal: NodeJS.Signals): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  async stop(): Promise<void> {
    await this.kill('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
