import { DuckDBInstance } from '@duckdb/node-api';

/** One user's UTC day as the lake or Postgres tells it. */
export interface DayTotals {
  user: string;
  day: string;
  plays: number;
  msPlayed: number;
}

/** What an analyst gets: every play of a lake in a local directory, read by DuckDB with Hive partitioning. */
export async function readLakePlays(root: string): Promise<{ totals: DayTotals[]; rows: string[]; files: number }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const glob = `'${root.replaceAll("'", "''")}/plays/*/*/*/*.parquet'`;
    const files = Number((await connection.runAndReadAll(`select count(*) from glob(${glob})`)).getRows()[0]![0]);
    if (files === 0) return { totals: [], rows: [], files };
    const plays = `read_parquet(${glob}, hive_partitioning = true)`;
    const totals = await connection.runAndReadAll(
      `select user_id, printf('%04d-%02d-%02d', year::int, month::int, day::int) as d, count(*)::int, coalesce(sum(ms_played), 0)::bigint
         from ${plays} group by all order by 1, 2`,
    );
    const rows = await connection.runAndReadAll(
      `select concat_ws('|', user_id, strftime(played_at::timestamp, '%Y-%m-%dT%H:%M:%S.%fZ'), track_id, coalesce(ms_played::varchar, '-'), source, coalesce(context_type, '-'), coalesce(context_uri, '-'))
         from ${plays} order by 1`,
    );
    return {
      totals: totals.getRows().map(([user, day, plays, ms]) => ({ user: String(user), day: String(day), plays: Number(plays), msPlayed: Number(ms) })),
      rows: rows.getRows().map(([row]) => String(row)),
      files,
    };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Rows of one catalogue table of the lake, as DuckDB reads them. */
export async function readLakeTable(root: string, table: string): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const result = await connection.runAndReadAll(`select * from read_parquet('${root.replaceAll("'", "''")}/${table}/*.parquet') order by all`);
    return result.getRowObjectsJson() as Array<Record<string, unknown>>;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
