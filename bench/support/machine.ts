import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { Redis } from 'ioredis';
import { withAdmin } from './bench-database.js';
import { REDIS_URL } from './bench-env.js';

export interface MachineDescription {
  cpus: string;
  memory: string;
  os: string;
  node: string;
  postgres: string;
  redis: string;
  commit: string;
  date: string;
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export async function describeMachine(): Promise<MachineDescription> {
  const cpus = os.cpus();
  const postgres = await withAdmin(async (client) => {
    const { rows } = await client.query<{ server_version: string; shared_buffers: string }>(
      `select current_setting('server_version') as server_version, current_setting('shared_buffers') as shared_buffers`,
    );
    return `PostgreSQL ${rows[0]!.server_version} (shared_buffers ${rows[0]!.shared_buffers})`;
  });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  let redisVersion = 'unknown';
  try {
    await redis.connect();
    const info = await redis.info('server');
    redisVersion = `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown'}`;
  } finally {
    redis.disconnect();
  }
  return {
    cpus: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: `Node.js ${process.version}`,
    postgres,
    redis: redisVersion,
    commit: gitCommit(),
    date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

export const loadAverage = () => os.loadavg().map((load) => load.toFixed(2)).join(' ');

export function renderMachine(machine: MachineDescription): string[] {
  return [
    `machine: ${machine.cpus}, ${machine.memory} RAM, ${machine.os}`,
    `software: ${machine.node}, ${machine.postgres}, ${machine.redis}`,
    `commit ${machine.commit}, ${machine.date}`,
  ];
}
