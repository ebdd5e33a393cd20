import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { LAKE_CATALOGUE_TABLES, type LakeCatalogueTable } from '../repositories/lake.repository.js';

/**
 * Turns the CSV that Postgres' COPY wrote into the lake's Parquet files, with DuckDB in this process:
 * the plays split by UTC day (Hive partitions `year=YYYY/month=MM/day=DD`), each catalogue table as one
 * file. DuckDB streams the CSV and spills to disk past its memory limit, so the size of a run is bounded
 * by the work directory, not by memory.
 */

/** Column types of the CSVs, as COPY wrote them (the same order as the SELECT of lake.repository.ts). */
const PLAY_CSV_TYPES = {
  user_id: 'VARCHAR',
  day: 'DATE',
  played_at: 'TIMESTAMPTZ',
  track_id: 'VARCHAR',
  ms_played: 'INTEGER',
  source: 'VARCHAR',
  context_type: 'VARCHAR',
  context_uri: 'VARCHAR',
  ingested_at: 'TIMESTAMPTZ',
} as const;

const CATALOGUE_CSV_TYPES: Record<LakeCatalogueTable, Record<string, string>> = {
  tracks: { id: 'VARCHAR', name: 'VARCHAR', uri: 'VARCHAR', duration_ms: 'INTEGER', album_id: 'VARCHAR' },
  albums: { id: 'VARCHAR', name: 'VARCHAR', uri: 'VARCHAR', release_date: 'VARCHAR', image_url: 'VARCHAR' },
  artists: { id: 'VARCHAR', name: 'VARCHAR', uri: 'VARCHAR' },
  track_artists: { track_id: 'VARCHAR', position: 'SMALLINT', artist_id: 'VARCHAR' },
};

/** One day's Parquet file as staged locally. */
export interface StagedDay {
  /** 'YYYY-MM-DD' (UTC). */
  day: string;
  path: string;
  rows: number;
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** COPY's CSV: NULL is an empty field, an empty string is "" (kept as one). */
function readCsv(path: string, types: Record<string, string>): string {
  const columns = `{${Object.entries(types)
    .map(([name, type]) => `${literal(name)}: ${literal(type)}`)
    .join(', ')}}`;
  return `read_csv(${literal(path)}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, columns = ${columns})`;
}

export class LakeParquetWriter {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** DuckDB with its database in `databasePath` (the staged plays), bounded by `memoryLimitMb`, spilling into `spillDir`. */
  static async open(options: { databasePath: string; memoryLimitMb: number; spillDir: string }): Promise<LakeParquetWriter> {
    const instance = await DuckDBInstance.create(options.databasePath, {
      memory_limit: `${options.memoryLimitMb}MB`,
      temp_directory: options.spillDir,
      // Rows need no order within a day's file; without it DuckDB need not buffer to keep one.
      preserve_insertion_order: 'false',
      // Never fetch an extension at run time (the CSV and Parquet readers are built in).
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const connection = await instance.connect();
    return new LakeParquetWriter(instance, connection);
  }

  /**
   * Writes the plays of `csvPath` as one Parquet file per UTC day under `outDir/…/year=…/month=…/day=…/`,
   * each user id replaced by `userKeys.get(id)`. Returns the staged days; throws when a play's user has no
   * key or the rows written differ from the rows read. The plays are staged in a DuckDB table first, then
   * written a batch of days at a time: a partitioned write buffers every open day at once, so a first
   * export of years of history written in one statement would need memory for all of them.
   */
  async writePlays(csvPath: string, userKeys: ReadonlyMap<string, string>, outDir: string, expectedRows: number): Promise<StagedDay[]> {
    const connection = this.connection;
    await connection.run(`create or replace table lake_user_keys (user_id varchar primary key, user_key varchar not null)`);
    const appender = await connection.createAppender('lake_user_keys');
    for (const [id, key] of userKeys) {
      appender.appendVarchar(id);
      appender.appendVarchar(key);
      appender.endRow();
    }
    appender.closeSync();
    await connection.run(
      `create or replace table lake_staged_plays as
       select k.user_key as user_id, p.played_at, p.track_id, p.ms_played, p.source, p.context_type, p.context_uri, p.ingested_at, p.day
         from ${readCsv(csvPath, PLAY_CSV_TYPES)} p
         join lake_user_keys k on k.user_id = p.user_id`,
    );
    const perDay = (await connection.runAndReadAll(`select strftime(day, '%Y-%m-%d'), count(*) from lake_staged_plays group by 1 order by 1`))
      .getRows()
      .map(([day, rows]) => ({ day: String(day), rows: Number(rows) }));
    const rows = perDay.reduce((sum, day) => sum + day.rows, 0);
    if (rows !== expectedRows) throw new Error(`staged ${rows} plays for Parquet but read ${expectedRows} from Postgres (a play of a user with no key?)`);

    await rm(outDir, { recursive: true, force: true });
    await mkdir(outDir, { recursive: true });
    for (const [index, batch] of batchesOfDays(perDay).entries()) {
      await connection.run(
        `copy (select user_id, played_at, track_id, ms_played, source, context_type, context_uri, ingested_at,
                      strftime(day, '%Y') as year, strftime(day, '%m') as month, strftime(day, '%d') as day
                 from lake_staged_plays
                where day between ${literal(batch.first)}::date and ${literal(batch.last)}::date)
           to ${literal(join(outDir, `batch-${index}`))} (format parquet, compression zstd, partition_by (year, month, day), filename_pattern 'part-{i}', write_partition_columns false)`,
      );
    }
    await connection.run(`drop table lake_staged_plays`);
    const rowsOf = new Map(perDay.map((day) => [day.day, day.rows]));
    const staged: StagedDay[] = [];
    for (const [day, files] of await partitionFiles(outDir)) {
      // DuckDB writes one file per partition unless a partition outgrows its file size limit; a day is
      // replaced as one object, so any extra files are merged into one.
      const path = files.length === 1 ? files[0]! : await this.merge(files, join(outDir, `merged-${day}.parquet`));
      staged.push({ day, path, rows: rowsOf.get(day) ?? 0 });
    }
    if (staged.length !== perDay.length) throw new Error(`staged ${staged.length} day files for ${perDay.length} days`);
    return staged;
  }

  /** Writes one catalogue table's CSV as a Parquet file at `outPath`; returns its rows. */
  async writeCatalogue(table: LakeCatalogueTable, csvPath: string, outPath: string): Promise<number> {
    const columns = LAKE_CATALOGUE_TABLES[table].join(', ');
    const written = await this.connection.runAndReadAll(
      `copy (select ${columns} from ${readCsv(csvPath, CATALOGUE_CSV_TYPES[table])}) to ${literal(outPath)} (format parquet, compression zstd)`,
    );
    return Number(written.getRows()[0]?.[0] ?? 0);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async merge(files: string[], outPath: string): Promise<string> {
    await this.connection.run(`copy (select * from read_parquet([${files.map(literal).join(', ')}])) to ${literal(outPath)} (format parquet, compression zstd)`);
    return outPath;
  }
}

/** Plays a partitioned write may hold open at once, and days: what bounds its memory. */
const BATCH_ROWS = 400_000;
const BATCH_DAYS = 32;

/** Consecutive runs of days, each within both bounds (a single day over BATCH_ROWS is a batch of its own). */
function batchesOfDays(days: ReadonlyArray<{ day: string; rows: number }>): Array<{ first: string; last: string }> {
  const batches: Array<{ first: string; last: string; rows: number; days: number }> = [];
  for (const { day, rows } of days) {
    const current = batches.at(-1);
    if (current && current.rows + rows <= BATCH_ROWS && current.days < BATCH_DAYS) {
      current.last = day;
      current.rows += rows;
      current.days += 1;
    } else {
      batches.push({ first: day, last: day, rows, days: 1 });
    }
  }
  return batches;
}

/** The staged Parquet files by day: `outDir/year=YYYY/month=MM/day=DD/*.parquet`. */
async function partitionFiles(outDir: string): Promise<Map<string, string[]>> {
  const byDay = new Map<string, string[]>();
  const entries = await readdir(outDir, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.parquet')) continue;
    const match = /year=(\d{4})[/\\]month=(\d{2})[/\\]day=(\d{2})$/.exec(entry.parentPath);
    if (!match) throw new Error(`unexpected staged file ${join(entry.parentPath, entry.name)}`);
    const day = `${match[1]}-${match[2]}-${match[3]}`;
    byDay.set(day, [...(byDay.get(day) ?? []), join(entry.parentPath, entry.name)].sort());
  }
  return new Map([...byDay].sort(([a], [b]) => a.localeCompare(b)));
}
