import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateToLatest } from '../../services/features/migrate-to-latest.js';
import { TEMPLATE_DATABASE, TEST_ADMIN_DATABASE_URL, databaseUrlFor } from './test-env.js';
import { dropDatabase } from './drop-database.js';

/**
 * Makes sure the migrated template database exists; each test file clones it (createTestDatabase),
 * which takes milliseconds and isolates files that run in parallel.
 *
 * The template is built under a temporary name and renamed when complete, so a run never clones a
 * half-migrated template, and two runs started at once do not disturb each other.
 */
export default async function setup(): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`tests need Postgres at DATABASE_URL: run \`npm test\` (it starts the services) or \`bash scripts/services.sh up\`: ${(error as Error).message}`);
  }
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [TEMPLATE_DATABASE]);
    if (exists.rowCount) return;
    const building = `playlog_test_building_${randomBytes(4).toString('hex')}`;
    await admin.query(`create database ${building}`);
    try {
      await migrateToLatest({ DATABASE_URL: databaseUrlFor(building), DATABASE_POOL_MAX: 2 });
      await admin.query(`alter database ${building} rename to ${TEMPLATE_DATABASE}`);
    } catch (error) {
      await dropDatabase((run) => run(admin), building);
      // Another run finished the same template first: use theirs.
      const built = await admin.query('select 1 from pg_database where datname = $1', [TEMPLATE_DATABASE]);
      if (!built.rowCount) throw error;
    }
  } finally {
    await admin.end();
  }
}
