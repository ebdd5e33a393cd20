import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openOrm, type MikroORM } from '../../services/features/open-orm.js';
import { dropDatabase } from './drop-database.js';
import { TEMPLATE_DATABASE, TEST_ADMIN_DATABASE_URL, databaseUrlFor } from './test-env.js';

export interface TestDatabase {
  url: string;
  orm: MikroORM;
  /** A plain pg pool on the same database, for raw assertions. */
  sql: pg.Pool;
  drop(): Promise<void>;
}

/** Runs `run` on a fresh connection to the admin database (the test role may create and drop databases). */
export async function withTestAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
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
      await withTestAdmin((c) => c.query(`create database ${name} template ${TEMPLATE_DATABASE}`));
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
      await dropDatabase(withTestAdmin, name);
    },
  };
}
