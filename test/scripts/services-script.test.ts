import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivatePostgres, PrivateRedis, freePort } from '../../scripts/chaos/private-infra.js';

const run = promisify(execFile);

/** `scripts/services.sh <command>` with these URLs (never the ones the rest of the suite uses). */
async function services(command: 'up' | 'down' | 'status', urls: { postgres: string; redis: string }): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('bash', ['scripts/services.sh', command], { env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: urls.postgres, REDIS_URL: urls.redis } });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

const answers = async (port: number): Promise<boolean> => {
  const probe = spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]);
  return probe.status === 0;
};

const pgVersion = () => spawnSync('bash', ['-c', 'ls /usr/lib/postgresql | sort -n | tail -n1'], { encoding: 'utf8' }).stdout.trim();
const asRoot = process.getuid?.() === 0;

let scratch: string;
let postgres: PrivatePostgres;
let redis: PrivateRedis;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'playlog-services-'));
  postgres = await PrivatePostgres.create(scratch, join(scratch, 'postgres.log'));
  redis = await PrivateRedis.create(scratch, join(scratch, 'redis.log'));
}, 60_000);
afterAll(async () => {
  await redis?.stop();
  postgres?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('scripts/services.sh', () => {
  it('uses a Postgres and a Redis it finds running, and `down` leaves them running', async () => {
    const urls = { postgres: postgres.url, redis: redis.url };
    const up = await services('up', urls);
    expect(up.code, up.output).toBe(0);
    expect(up.output).toMatch(/answer/);
    const down = await services('down', urls);
    expect(down.code, down.output).toBe(0);
    expect(down.output).toMatch(/nothing to stop/);
    expect(await answers(postgres.port)).toBe(true);
    expect(await answers(redis.port)).toBe(true);
  });

  it('starts a Redis when none answers, and `down` stops that one', async () => {
    const port = await freePort();
    const urls = { postgres: postgres.url, redis: `redis://127.0.0.1:${port}` };
    const up = await services('up', urls);
    expect(up.code, up.output).toBe(0);
    expect(await answers(port)).toBe(true);
    const down = await services('down', urls);
    expect(down.code, down.output).toBe(0);
    expect(down.output).toMatch(new RegExp(`stopping the redis-server it started on port ${port}`));
    for (let i = 0; i < 40 && (await answers(port)); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await answers(port)).toBe(false);
    // The Postgres it found was left alone.
    expect(await answers(postgres.port)).toBe(true);
    rmSync(join('.services', `redis-${port}`), { recursive: true, force: true });
  }, 30_000);

  // A machine's own Postgres cluster (Debian's `main`, say) is started by the system, not by the script.
  it.skipIf(!asRoot)('never stops a Postgres cluster of the machine that it did not start', async () => {
    const port = await freePort();
    const version = pgVersion();
    const name = `playlogtest${port}`;
    spawnSync('pg_createcluster', [version, name, '-p', String(port)], { encoding: 'utf8' });
    try {
      expect(spawnSync('pg_ctlcluster', [version, name, 'start']).status).toBe(0);
      const down = await services('down', { postgres: `postgres://playlog:playlog@127.0.0.1:${port}/playlog`, redis: redis.url });
      expect(down.code, down.output).toBe(0);
      expect(await answers(port)).toBe(true);
    } finally {
      spawnSync('pg_dropcluster', ['--stop', version, name]);
    }
  }, 60_000);
});
