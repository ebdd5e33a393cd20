import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTestAdmin } from '../support/database.js';
import { dropDatabase } from '../support/drop-database.js';
import { databaseUrlFor } from '../support/test-env.js';
import { PLAYLOG } from '../support/playlog.js';

/** `playlog migrate`, the command the Helm hook Job and the compose `migrate` service run, on an empty database. */

const name = `playlog_test_entrypoint_${randomBytes(4).toString('hex')}`;

function migrate() {
  return spawnSync('sh', [PLAYLOG, 'migrate'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DATABASE_URL: databaseUrlFor(name), LOG_FORMAT: 'json', NODE_ENV: 'production' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('playlog migrate', () => {
  beforeAll(() => withTestAdmin((client) => client.query(`create database ${name}`)));
  afterAll(() => dropDatabase(withTestAdmin, name));

  it('creates the schema on an empty database, then finds nothing to do on a second run', async () => {
    const first = migrate();
    expect(first.status, first.stderr).toBe(0);
    const client = new pg.Client({ connectionString: databaseUrlFor(name) });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = 'public'`);
      expect(rows.map((row) => row.table_name)).toEqual(expect.arrayContaining(['users', 'listening_events']));
    } finally {
      await client.end();
    }
    const second = migrate();
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain('database is up to date');
  });

  it('stops with one line naming DATABASE_URL when it is malformed', () => {
    const result = spawnSync('sh', [PLAYLOG, 'migrate'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DATABASE_URL: 'mysql://nope' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^migrate: Invalid configuration: DATABASE_URL is invalid/m);
  });
});
