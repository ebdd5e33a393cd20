import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const DBT = new URL('../../.tools/dbt-venv/bin/dbt', import.meta.url).pathname;
const PROJECT = new URL('../../analytics', import.meta.url).pathname;
const BUILD_TIMEOUT_MS = 180_000;

export interface DbtBuild {
  /** dbt's exit code: 0 when every model and every test passed. */
  code: number;
  /** What dbt printed (stdout, then stderr). */
  output: string;
  /** The DuckDB file the models were written to. */
  database: string;
  /** Rows of a query over the models the build wrote (in the query's order), values as JSON. */
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  /** Removes everything the build wrote (its DuckDB file, target/ and logs/). */
  remove(): Promise<void>;
}

/**
 * `dbt build` of the analytics/ starter over the lake in `lakeDir`, as an analyst runs it
 * (`LAKE_DIR=… dbt build --project-dir analytics --profiles-dir analytics`), with everything it writes (its
 * DuckDB file, target/, logs/) in a temporary directory, never in the repository. `env` adds variables
 * (such as TZ). dbt comes from `bash scripts/analytics-tools.sh`, which `npm test` runs.
 */
export async function runDbtBuild(lakeDir: string, options: { env?: Record<string, string> } = {}): Promise<DbtBuild> {
  if (!existsSync(DBT)) throw new Error(`dbt is not installed (${DBT} is missing): run bash scripts/analytics-tools.sh (npm test does)`);
  const dir = await mkdtemp(join(tmpdir(), 'playlog-dbt-'));
  const database = join(dir, 'playlog_lake.duckdb');
  const env = {
    PATH: process.env.PATH ?? '',
    // dbt looks for ~/.dbt; an empty home keeps an analyst's own settings out of the test.
    HOME: dir,
    LAKE_DIR: lakeDir,
    DBT_DUCKDB_PATH: database,
    DBT_TARGET_PATH: join(dir, 'target'),
    DBT_LOG_PATH: join(dir, 'logs'),
    DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
    ...options.env,
  };
  const args = ['build', '--project-dir', PROJECT, '--profiles-dir', PROJECT, '--no-use-colors'];
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(DBT, args, { env, cwd: dir, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve({ code: 0, output: `${stdout}${stderr}` });
      const why = typeof error.code === 'number' ? '' : `\ndbt did not finish: ${error.signal ? `killed by ${error.signal} (timeout ${BUILD_TIMEOUT_MS} ms?)` : error.message}`;
      resolve({ code: typeof error.code === 'number' ? error.code : 1, output: `${stdout}${stderr}${why}` });
    });
  });
  return {
    code,
    output,
    database,
    query: (sql) => queryDuckDb(database, sql, { readOnly: true }),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Runs `sql` (one statement or several; the last one's rows are returned, values as JSON) in a DuckDB
 * database: a file, or ':memory:' (then `sql` can write a lake with COPY … TO, and nothing stays).
 */
export async function queryDuckDb(database: string, sql: string, options: { readOnly?: boolean } = {}): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(database, options.readOnly ? { access_mode: 'READ_ONLY' } : {});
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
