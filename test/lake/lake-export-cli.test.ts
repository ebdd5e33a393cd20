import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { readLakePlays } from '../support/lake-reader.js';
import { insertUser, makePlay } from '../support/plays.js';
import { PLAYLOG } from '../support/playlog.js';

const run = promisify(execFile);
const KEY = 'the-cli-test-pseudonym-key-0123456789abcdef';

let db: TestDatabase;
let lakeDir: string;
let workDir: string;

beforeAll(async () => {
  db = await createTestDatabase('lakecli');
  lakeDir = await mkdtemp(join(tmpdir(), 'playlog-lake-cli-'));
  workDir = await mkdtemp(join(tmpdir(), 'playlog-lake-cli-work-'));
  const userId = await insertUser(db.sql, 'lake-cli-user');
  await ingestPlays(db.orm.em.fork(), { userId, source: 'poll', plays: [makePlay(1, '2026-05-01T10:00:00Z'), makePlay(2, '2026-05-02T10:00:00Z')] });
});
afterAll(async () => {
  await db?.drop();
  await rm(lakeDir, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
});

/** `playlog lake-export` (npm run lake:export), with only the given environment (and PATH). */
async function lakeExport(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('sh', [PLAYLOG, 'lake-export'], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_FORMAT: 'json', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const settings = () => ({ DATABASE_URL: db.url, LAKE_URL: `file://${lakeDir}`, LAKE_PSEUDONYM_KEY: KEY, LAKE_WORK_DIR: workDir });

describe('npm run lake:export', () => {
  it.each([
    [{ LAKE_PSEUDONYM_KEY: '' }, /LAKE_PSEUDONYM_KEY is missing: required when LAKE_USER_IDS=pseudonymous/],
    [{ LAKE_PSEUDONYM_KEY: 'short' }, /LAKE_PSEUDONYM_KEY is invalid: at least 32 characters/],
    [{ LAKE_URL: 'http://bucket/lake' }, /LAKE_URL is invalid: must be s3:\/\/bucket\[\/prefix\] or file:\/\/\/absolute\/directory/],
    [{ LAKE_URL: 's3://Not_A_Bucket/x' }, /LAKE_URL is invalid/],
    [{ LAKE_URL: '' }, /LAKE_URL is missing/],
    [{ LAKE_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE' }, /LAKE_S3_SECRET_ACCESS_KEY is missing: set both/],
    [{ LAKE_USER_IDS: 'hashed' }, /LAKE_USER_IDS is invalid/],
  ])('refuses a bad configuration %o, naming the variable, and exits 1', async (bad, message) => {
    const result = await lakeExport({ ...settings(), ...bad });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain(KEY);
  });

  it('writes the lake, then finds nothing new; its logs hold no key and no password', async () => {
    const first = await lakeExport(settings());
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/lake updated: 2 days written, 0 removed, 2 plays, tables albums, artists, track_artists, tracks \(full export\)/);
    expect((await readLakePlays(lakeDir)).totals.map((day) => day.day)).toEqual(['2026-05-01', '2026-05-02']);

    const second = await lakeExport(settings());
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/the lake is up to date: nothing written/);
    for (const output of [first, second]) {
      expect(output.stdout + output.stderr).not.toContain(KEY);
      expect(output.stdout + output.stderr).not.toContain(db.url);
      expect(output.stdout + output.stderr).not.toContain(`:${new URL(db.url).password}@`);
    }
    // Nothing staged is left behind.
    expect(await readdir(workDir)).toEqual([]);
  });

  it('while another lake run holds the lock, exits 0 saying so, and writes nothing', async () => {
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query(`select pg_advisory_lock(hashtext('playlog:lake-export'))`);
      await ingestPlays(db.orm.em.fork(), { userId: (await db.sql.query('select id from users')).rows[0].id, source: 'poll', plays: [makePlay(3, '2026-05-03T10:00:00Z')] });
      const result = await lakeExport(settings());
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/another lake export is running: nothing to do/);
      expect((await readLakePlays(lakeDir)).totals).toHaveLength(2);
    } finally {
      await holder.end();
    }
    const after = await lakeExport(settings());
    expect(after.stdout).toMatch(/lake updated: 1 days written/);
  });

  it('fails with exit 1 and a clear message when the database cannot be reached', async () => {
    const result = await lakeExport({ ...settings(), DATABASE_URL: 'postgres://playlog:secret-pw@127.0.0.1:1/nowhere' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/lake export failed: cannot connect to Postgres at DATABASE_URL \(127\.0\.0\.1:1\/nowhere\)/);
    expect(result.stdout + result.stderr).not.toContain('secret-pw');
  });

  it('fails with exit 1 naming LAKE_WORK_DIR when it cannot stage files there', async () => {
    await ingestPlays(db.orm.em.fork(), { userId: (await db.sql.query('select id from users')).rows[0].id, source: 'poll', plays: [makePlay(5, '2026-05-05T10:00:00Z')] });
    const result = await lakeExport({ ...settings(), LAKE_WORK_DIR: join(workDir, 'missing', 'dir') });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/lake export failed: LAKE_WORK_DIR \(.*missing\/dir\) is not a directory this process can write to/);
  });

  it('with LAKE_EXPORT_LOOP_SECONDS, runs on that interval until SIGTERM, then exits 0', async () => {
    const child = spawn('sh', [PLAYLOG, 'lake-export'], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_FORMAT: 'json', ...settings(), LAKE_EXPORT_LOOP_SECONDS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const waitFor = async (pattern: RegExp, from = 0) => {
      const deadline = Date.now() + 20_000;
      while (!pattern.test(output.slice(from))) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} in: ${output.slice(from)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      // The first run brings the lake up to date (the previous test left a day pending).
      await waitFor(/lake updated: 1 days written/);
      const before = output.length;
      await waitFor(/the lake is up to date: nothing written/, before);
      const userId = (await db.sql.query('select id from users')).rows[0].id as string;
      const mark = output.length;
      await ingestPlays(db.orm.em.fork(), { userId, source: 'poll', plays: [makePlay(4, '2026-05-04T10:00:00Z')] });
      await waitFor(/lake updated: 1 days written/, mark);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(output).toMatch(/lake export stopped/);
    expect((await readLakePlays(lakeDir)).totals.map((day) => day.day)).toContain('2026-05-04');
  });
});
