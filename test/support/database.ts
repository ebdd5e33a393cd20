import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openOrm, type MikroORM } from '../../services/shared/db/open-orm.js';
import { TEMPLATE_DATABASE, TEST_ADMIN_DATABASE_URL, databaseUrlFor } from './test-env.js';

export interface TestDatabase {
  url: string;
  orm: MikroORM;
  /** A plain pg pool on the same database, for raw assertions. */
  sql: pg.Pool;
  drop(): Promise<void>;
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A migrated database of this test's own, cloned from the template; drop() removes it. */
export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const name = `playlog_test_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  // Cloning needs the template to have no other sessions; retry briefly if another file clones at once.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin((c) => c.query(`create database ${name} template ${TEMPLATE_DATABASE}`));
      break;
    } catch (error) {
      if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }
  const url = databaseUrlFor(name);
  const orm = await openOrm({ DATABASE_URL: url, DATABASE_POOL_MAX: 5 });
  const sql = new pg.Pool({ connectionString: url, max: 3 });
  return {
    url,
    orm,
    sql,
    async drop() {
      await sql.end();
      await orm.close(true);
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
