import pg from 'pg';
import { migrateToLatest } from '../../services/features/migrate-to-latest.js';
import { dropDatabase as dropDatabaseRetrying } from '../../test/support/drop-database.js';
import { ADMIN_DATABASE_URL, databaseUrlFor } from './bench-env.js';

/** Every database a bench run creates starts with this, so leftovers of a killed run are easy to find. */
export const BENCH_DATABASE_PREFIX = 'playlog_bench_';

export async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`benchmarks need Postgres at DATABASE_URL: run \`bash scripts/services.sh up\` first: ${(error as Error).message}`);
  }
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export const benchDatabaseName = (runId: string, label: string) => `${BENCH_DATABASE_PREFIX}${runId}_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}`;

/** Drops a bench database (retrying past autovacuum: see test/support/drop-database.ts). */
export const dropDatabase = (name: string): Promise<void> => dropDatabaseRetrying(withAdmin, name);

/** An empty database with every migration applied, the way `npm run migrate` leaves a new install. */
export async function createMigratedDatabase(name: string): Promise<string> {
  await dropDatabase(name);
  await withAdmin((client) => client.query(`create database ${name}`));
  const url = databaseUrlFor(name);
  await migrateToLatest({ DATABASE_URL: url, DATABASE_POOL_MAX: 2 });
  return url;
}

/**
 * A copy of a template database. FILE_COPY copies the files after a checkpoint: seconds for gigabytes,
 * where the default (WAL_LOG) writes every block through the WAL. The template must have no sessions.
 */
export async function cloneDatabase(template: string, name: string): Promise<string> {
  await dropDatabase(name);
  // The template must have no session; autovacuum may be in it for a moment after the preload.
  for (let attempt = 0; ; attempt++) {
    try {
      await withAdmin((client) => client.query(`create database ${name} template ${template} strategy file_copy`));
      break;
    } catch (error) {
      if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return databaseUrlFor(name);
}

/** Databases left by bench runs that were killed before they could clean up. */
export async function leftoverBenchDatabases(): Promise<string[]> {
  return withAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(`select datname from pg_database where datname like $1 order by datname`, [`${BENCH_DATABASE_PREFIX}%`]);
    return rows.map((row) => row.datname);
  });
}

/** Size in bytes of a table with its indexes and TOAST. */
export async function totalRelationBytes(pool: pg.Pool | pg.Client, table: string): Promise<number> {
  const { rows } = await pool.query<{ bytes: string }>(`select pg_total_relation_size($1::regclass) as bytes`, [table]);
  return Number(rows[0]!.bytes);
}
