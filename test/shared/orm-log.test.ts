import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openOrm, type MikroORM } from '../../services/features/open-orm.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * knex prints its warnings with console.log unless given a logger: a pooled connection Postgres has
 * closed (a restart, a failover, pg_terminate_backend) used to print a stray
 * "Connection Error: Connection ended unexpectedly" in the middle of the JSON log and of `npm test`.
 */
let db: TestDatabase;
let orm: MikroORM;
const lines: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase('orm_log');
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  orm = await openOrm({ DATABASE_URL: db.url, DATABASE_POOL_MAX: 1 }, createLogger({ service: 'test', level: 'debug', destination }));
});
afterAll(async () => {
  await orm?.close(true);
  await db?.drop();
});

describe('the ORM’s own messages', () => {
  it('go to the service’s log as JSON lines, never to the console, when Postgres drops a pooled connection', async () => {
    const printed = [vi.spyOn(console, 'log'), vi.spyOn(console, 'warn'), vi.spyOn(console, 'error')];
    try {
      await orm.em.fork().getConnection().execute('select 1');
      // Postgres ends the pool's one connection, as a restart would.
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
      await admin.end();
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The next query finds the dead connection, drops it and uses a new one.
      await orm.em.fork().getConnection().execute('select 1');
      for (const spy of printed) expect(spy).not.toHaveBeenCalled();
      const warning = lines.map((line) => JSON.parse(line) as { component?: string; msg?: string; level?: number }).find((line) => line.component === 'mikro-orm' && /Connection Error/.test(line.msg ?? ''));
      expect(warning).toMatchObject({ component: 'mikro-orm', level: 40 });
    } finally {
      for (const spy of printed) spy.mockRestore();
    }
  });
});
