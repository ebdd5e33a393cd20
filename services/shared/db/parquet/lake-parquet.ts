import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { LAKE_CATALOGUE_TABLES, type LakeCatalogueTable } from '../repositories/lake.repository.js';

/**
 * Turns the CSV that Postgres' COPY wrote into the lake's Parquet files, with DuckDB in this process:
 * one file per UTC day of plays, one per catalogue table. DuckDB spills to disk past its memory limit.
 */

/** Column types of the plays' CSV, as COPY wrote it (LAKE_PLAY_CSV_COLUMNS of lake.repository.ts, in order). */
const PLAY_CSV_TYPES = {
  day: 'DATE',
  user_id: 'VARCHAR',
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

  /** DuckDB in memory, bounded by `memoryLimitMb`, spilling into `spillDir`. */
  static async open(options: { memoryLimitMb: number; spillDir: string }): Promise<LakeParquetWriter> {
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: `${options.memoryLimitMb}MB`,
      temp_directory: options.spillDir,
      // A batch's rows need not keep the CSV's order (each day's file is sorted on its own).
      preserve_insertion_order: 'false',
      // Never fetch an extension at run time (the CSV and Parquet readers are built in).
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const connection = await instance.connect();
    return new LakeParquetWriter(instance, connection);
  }

  /**
   * Writes one Parquet file per UTC day of each batch (a CSV of whole days, plays-by-day.ts) into `outDir`,
   * each user id replaced by `userKeys.get(id)`, the rows of a day sorted by user and time (smaller files,
   * and readers skip row groups by user). One batch is in DuckDB at a time, so memory is bounded by the
   * largest batch, not by the export. Throws when a day's file holds other than `dayPlays` says.
   */
  async writePlays(batches: ReadonlyArray<{ path: string; days: readonly string[] }>, userKeys: ReadonlyMap<string, string>, outDir: string, dayPlays: ReadonlyMap<string, number>): Promise<StagedDay[]> {
    const connection = this.connection;
    await connection.run(`create or replace table lake_user_keys (user_id varchar primary key, user_key varchar not null)`);
    const appender = await connection.createAppender('lake_user_keys');
    for (const [id, key] of userKeys) {
      appender.appendVarchar(id);
      appender.appendVarchar(key);
      appender.endRow();
    }
    appender.closeSync();
    await rm(outDir, { recursive: true, force: true });
    await mkdir(outDir, { recursive: true });
    const staged: StagedDay[] = [];
    for (const batch of batches) {
      // An inner join: a play of a user with no key would be dropped, and caught by the count below.
      await connection.run(
        `create or replace table lake_batch as
         select p.day, k.user_key as user_id, p.played_at, p.track_id, p.ms_played, p.source, p.context_type, p.context_uri, p.ingested_at
           from ${readCsv(batch.path, PLAY_CSV_TYPES)} p
           join lake_user_keys k on k.user_id = p.user_id`,
      );
      await rm(batch.path);
      for (const day of batch.days) {
        const path = join(outDir, `${day}.parquet`);
        const written = await connection.runAndReadAll(
          `copy (select user_id, played_at, track_id, ms_played, source, context_type, context_uri, ingested_at
                   from lake_batch where day = ${literal(day)}::date order by user_id, played_at)
             to ${literal(path)} (format parquet, compression zstd)`,
        );
        const rows = Number(written.getRows()[0]?.[0] ?? 0);
        if (rows !== dayPlays.get(day)) throw new Error(`wrote ${rows} plays of ${day} to Parquet, but Postgres holds ${dayPlays.get(day) ?? 0}`);
        staged.push({ day, path, rows });
      }
    }
    await connection.run(`drop table if exists lake_batch`);
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
