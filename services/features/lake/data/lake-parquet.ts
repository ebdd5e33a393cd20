import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { LAKE_CATALOGUE_TABLES, LAKE_PLAY_CSV_COLUMNS, type LakeCatalogueTable } from './lake.repository.js';

/**
 * Turns the CSV that Postgres' COPY wrote into the lake's Parquet files, with DuckDB in this process:
 * one file per UTC day of plays, one per catalogue table. DuckDB spills to disk past its memory limit.
 */

/** The type of each column of the plays' CSV. */
const PLAY_CSV_TYPE: Record<(typeof LAKE_PLAY_CSV_COLUMNS)[number], string> = {
  day: 'DATE',
  user_id: 'VARCHAR',
  played_at: 'TIMESTAMPTZ',
  track_id: 'VARCHAR',
  ms_played: 'INTEGER',
  source: 'VARCHAR',
  context_type: 'VARCHAR',
  context_uri: 'VARCHAR',
  ingested_at: 'TIMESTAMPTZ',
};
/** The plays' CSV as COPY writes it: its columns in the repository's order. */
const PLAY_CSV_TYPES = Object.fromEntries(LAKE_PLAY_CSV_COLUMNS.map((column) => [column, PLAY_CSV_TYPE[column]]));

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

/**
 * Rows per Parquet row group: below DuckDB's default, because the writer holds a row group in memory
 * outside its memory limit; still large enough for efficient scans of a day.
 */
const ROW_GROUP_ROWS = 10_000;
/** Bytes DuckDB's CSV reader buffers per thread (its default is far larger; the lines are short). */
const CSV_BUFFER_BYTES = 4 * 1024 * 1024;

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** COPY's CSV: NULL is an empty field, an empty string is "" (kept as one). */
function readCsv(path: string, types: Record<string, string>): string {
  const columns = `{${Object.entries(types)
    .map(([name, type]) => `${literal(name)}: ${literal(type)}`)
    .join(', ')}}`;
  return `read_csv(${literal(path)}, header = false, auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, buffer_size = ${CSV_BUFFER_BYTES}, columns = ${columns})`;
}

export class LakeParquetWriter {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** DuckDB in memory, its buffers bounded by `memoryLimitMb`, spilling into `spillDir`. */
  static async open(options: { memoryLimitMb: number; spillDir: string }): Promise<LakeParquetWriter> {
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: `${options.memoryLimitMb}MB`,
      temp_directory: options.spillDir,
      // One day at a time is one file at a time: a second thread buys little and holds its own buffers.
      threads: '1',
      // Never fetch an extension at run time (the CSV and Parquet readers are built in).
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const connection = await instance.connect();
    return new LakeParquetWriter(instance, connection);
  }

  /**
   * Writes each day's plays (the CSV at `csvOf(day)`, its users already pseudonymised: plays-by-day.ts)
   * as one Parquet file in `outDir`, one day per statement: memory is bounded by one day, not by the
   * lake run. Days with no play (`dayPlays` 0) are skipped. Throws when a day's file holds other than
   * `dayPlays` says.
   */
  async writePlays(csvOf: (day: string) => string, outDir: string, dayPlays: ReadonlyMap<string, number>): Promise<StagedDay[]> {
    await rm(outDir, { recursive: true, force: true });
    await mkdir(outDir, { recursive: true, mode: 0o700 });
    const staged: StagedDay[] = [];
    for (const [day, expected] of [...dayPlays].sort(([a], [b]) => a.localeCompare(b))) {
      if (expected === 0) continue;
      const path = join(outDir, `${day}.parquet`);
      const written = await this.connection.runAndReadAll(
        `copy (select user_id, played_at, track_id, ms_played, source, context_type, context_uri, ingested_at from ${readCsv(csvOf(day), PLAY_CSV_TYPES)})
           to ${literal(path)} (format parquet, compression zstd, row_group_size ${ROW_GROUP_ROWS})`,
      );
      const rows = Number(written.getRows()[0]?.[0] ?? 0);
      if (rows !== expected) throw new Error(`wrote ${rows} plays of ${day} to Parquet, but Postgres holds ${expected}`);
      await rm(csvOf(day));
      staged.push({ day, path, rows });
    }
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
}
