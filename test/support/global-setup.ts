import pg from 'pg';
import { migrateToLatest } from '../../services/shared/db/migrate-to-latest.js';
import { TEMPLATE_DATABASE, TEST_ADMIN_DATABASE_URL, databaseUrlFor } from './test-env.js';

/**
 * Builds the migrated template database once per run; each test file clones it (createTestDatabase),
 * which takes milliseconds and isolates files that run in parallel.
 */
export default async function setup(): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_ADMIN_DATABASE_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`tests need Postgres at DATABASE_URL: run \`npm test\` (it starts the services) or \`bash scripts/services.sh up\`: ${(error as Error).message}`);
  }
  try {
    // A template is recreated every run, so a changed migration is always what tests see.
    await admin.query(`drop database if exists ${TEMPLATE_DATABASE} with (force)`);
    await admin.query(`create database ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  await migrateToLatest({ DATABASE_URL: databaseUrlFor(TEMPLATE_DATABASE), DATABASE_POOL_MAX: 2 });
}
