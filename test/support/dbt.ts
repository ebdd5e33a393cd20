import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const DBT = new URL('../../.tools/dbt-venv/bin/dbt', import.meta.url).pathname;
const PROJECT = new URL('../../analytics', import.meta.url).pathname;

export interface DbtBuild {
  code: number;
  output: string;
  /** Rows of a model the build wrote, as DuckDB returns them (ordered as the query says). */
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  /** Removes what the build wrote (its DuckDB file, target and logs). */
  remove(): Promise<void>;
}

/**
 * `dbt build` of the analytics/ starter over the lake in `lakeDir`, as an analyst runs it, with every file
 * it writes (its DuckDB database, target/, logs/) in a temporary directory rather than the repository.
 * dbt comes from `bash scripts/analytics-tools.sh` (npm test runs it).
 */
export async function runDbtBuild(lakeDir: string): Promise<DbtBuild> {
  if (!existsSync(DBT)) throw new Error(`${DBT} is missing: run bash scripts/analytics-tools.sh (npm test does)`);
  const dir = await mkdtemp(join(tmpdir(), 'playlog-dbt-'));
  const database = join(dir, 'playlog_lake.duckdb');
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    LAKE_DIR: lakeDir,
    DBT_DUCKDB_PATH: database,
    DBT_TARGET_PATH: join(dir, 'target'),
    DBT_LOG_PATH: join(dir, 'logs'),
    DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
  };
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(DBT, ['build', '--project-dir', PROJECT, '--profiles-dir', PROJECT, '--no-use-colors'], { env, cwd: dir, timeout: 180_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
  return {
    code,
    output,
    async query(sql) {
      const instance = await DuckDBInstance.create(database, { access_mode: 'READ_ONLY' });
      const connection = await instance.connect();
      try {
        return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, unknown>>;
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
