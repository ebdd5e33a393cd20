import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { z } from 'zod';
import { describeDatabaseUrl } from '../../../shared/db/database-url.js';
import { bigintNumber, defineStatement, runStatementOnClient } from '../../../shared/db/statements/statement.js';

/**
 * What a lake run (docs/lake.md) reads from Postgres. It needs one connection of its own: a
 * session-level lock against a second run, one REPEATABLE READ snapshot in which the pending changes and
 * the rows they stand for are read together, and COPY, which streams rows faster than any query and
 * never holds them in memory.
 */

/** The catalogue tables the lake keeps a snapshot of, each with its columns in the lake's order. */
export const LAKE_CATALOGUE_TABLES = {
  tracks: ['id', 'name', 'uri', 'duration_ms', 'album_id'],
  albums: ['id', 'name', 'uri', 'release_date', 'image_url'],
  artists: ['id', 'name', 'uri'],
  track_artists: ['track_id', 'position', 'artist_id'],
} as const;
export type LakeCatalogueTable = keyof typeof LAKE_CATALOGUE_TABLES;
export const isLakeCatalogueTable = (name: string): name is LakeCatalogueTable => Object.hasOwn(LAKE_CATALOGUE_TABLES, name);

/**
 * The columns of a play in the CSV that COPY writes: its UTC day first ('YYYY-MM-DD', never quoted: the
 * lake run routes each record by its first ten bytes), the user's id (pseudonymised later), then the play.
 */
export const LAKE_PLAY_CSV_COLUMNS = ['day', 'user_id', 'played_at', 'track_id', 'ms_played', 'source', 'context_type', 'context_uri', 'ingested_at'] as const;

/** One change record as a lake run read it: the backend that recorded it and the number of its latest change. */
export interface LakeChangeRecord {
  backendPid: number;
  change: number;
}

/** A UTC day ('YYYY-MM-DD') or a catalogue table the lake run writes, with its change records the run read (none when it writes everything). */
export interface LakeChange<Key extends string = string> {
  key: Key;
  records: LakeChangeRecord[];
}

export const lakePendingDaysStatement = defineStatement({
  name: 'lake_pending_days',
  purpose: [
    'The change records of the UTC days whose plays changed since the lake last saw them (written by the triggers on listening_events):',
    'one per day and backend that changed it, with its change number. Read by the lake run in its snapshot.',
  ].join(' '),
  sql: `select "day"::text as "day", "backend_pid", "change" from "lake_changed_days" order by "day", "backend_pid"`,
  row: z.object({ day: z.string(), backend_pid: z.number().int(), change: bigintNumber }),
});

export const lakePendingTablesStatement = defineStatement({
  name: 'lake_pending_tables',
  purpose: 'The change records of the catalogue tables that changed since the lake last saw them: one per table and backend, with its change number.',
  sql: `select "name", "backend_pid", "change" from "lake_changed_tables" order by "name", "backend_pid"`,
  row: z.object({ name: z.string(), backend_pid: z.number().int(), change: bigintNumber }),
});

export const lakePendingDaySizesStatement = defineStatement({
  name: 'lake_pending_day_sizes',
  purpose: 'How many plays each changed day holds now (from the daily counts): how the lake run plans its batches, and what it checks the rows it read against.',
  sql: `select d."day"::text as "day", coalesce(sum(c."plays"), 0)::bigint as "plays" from (select distinct "day" from "lake_changed_days") d left join "play_counts" c on c."day" = d."day" group by d."day" order by d."day"`,
  row: z.object({ day: z.string(), plays: bigintNumber }),
});

export const lakeStoredDaySizesStatement = defineStatement({
  name: 'lake_stored_day_sizes',
  purpose: 'How many plays every day holds (from the daily counts): the plan and the check of a first lake run.',
  sql: `select "day"::text as "day", sum("plays")::bigint as "plays" from "play_counts" group by "day" order by "day"`,
  row: z.object({ day: z.string(), plays: bigintNumber }),
});

export const lakeUserIdsStatement = defineStatement({
  name: 'lake_user_ids',
  purpose: 'Every user id, for the pseudonyms the lake writes in their place (keyed hashes are computed in Node, where the key is).',
  sql: `select "id"::text as "id" from "users" order by "id"`,
  row: z.object({ id: z.string() }),
});

export const lakeConsumeDaysStatement = defineStatement({
  name: 'lake_consume_days',
  purpose: [
    'Forgets the change records of the days a lake run has written: exactly the records it read, each only where its change',
    'number is still the one the run saw, so a day changed again while it ran stays pending for the next run. A record a',
    'writer holds locked (changing it now) is skipped, so the run never waits for a writer nor deadlocks with one: it stays',
    'pending and the next run writes its day again. Unnest of three arrays is not expressible in the ORM.',
  ].join(' '),
  sql: `
delete from "lake_changed_days" d
 where (d."day", d."backend_pid") in (
   select r."day", r."backend_pid" from "lake_changed_days" r
     join unnest(?::date[], ?::int[], ?::bigint[]) as s("day", "backend_pid", "change")
       on r."day" = s."day" and r."backend_pid" = s."backend_pid" and r."change" = s."change"
      for update of r skip locked)
returning d."day"::text as "day"`,
  row: z.object({ day: z.string() }),
});

export const lakeConsumeTablesStatement = defineStatement({
  name: 'lake_consume_tables',
  purpose: 'Forgets the change records of the catalogue tables a lake run has written, as lake_consume_days does for days.',
  sql: `
delete from "lake_changed_tables" t
 where (t."name", t."backend_pid") in (
   select r."name", r."backend_pid" from "lake_changed_tables" r
     join unnest(?::text[], ?::int[], ?::bigint[]) as s("name", "backend_pid", "change")
       on r."name" = s."name" and r."backend_pid" = s."backend_pid" and r."change" = s."change"
      for update of r skip locked)
returning t."name"`,
  row: z.object({ name: z.string() }),
});

export const lakeTryLockStatement = defineStatement({
  name: 'lake_try_lock',
  purpose: 'A session-level advisory lock: one lake run at a time, released when its connection ends, even by a crash.',
  sql: `select pg_try_advisory_lock(hashtext('playlog:lake-export')) as "locked"`,
  row: z.object({ locked: z.boolean() }),
});

export const lakeSnapshotStatement = defineStatement({
  name: 'lake_snapshot',
  purpose: 'The transaction snapshot a lake run reads in, recorded in the lake’s manifest as the version of the data it holds.',
  sql: `select pg_current_snapshot()::text as "snapshot", now() as "as_of"`,
  row: z.object({ snapshot: z.string(), as_of: z.date() }),
});

/**
 * What the lake keeps of a play's context URI: only the public objects docs/lake.md lists (an album, artist,
 * playlist, show or episode). A context that names a listener (`spotify:user:<id>:…`, their Liked Songs or a
 * playlist in the old form) would put their Spotify user id beside their pseudonym: an old-form playlist is
 * written in the current form (`spotify:playlist:<id>`), anything else becomes null.
 */
const LAKE_CONTEXT_URI = `case
    when e."context_uri" ~ '^spotify:(album|artist|playlist|show|episode):[^:]+$' then e."context_uri"
    when e."context_uri" ~ '^spotify:user:[^:]+:playlist:[^:]+$' then 'spotify:playlist:' || split_part(e."context_uri", ':', 5)
  end`;

/** COPY takes no parameters: the texts below are fixed but for a day's bounds, written into them (copyPlaysOfDay). */
const PLAY_SELECT = `select (e."played_at" at time zone 'UTC')::date, e."user_id", e."played_at", e."track_id", e."ms_played", e."source", e."context_type", ${LAKE_CONTEXT_URI}, e."ingested_at"`;
const COPY_CSV = `to stdout with (format csv)`;
/**
 * The plays of one day, found through its daily counts, user by user: with the day's bounds written as
 * constants, the planner knows how many plays they hold and reads each user's as one range of the primary
 * key (user_id, played_at), or the table once when the day is a large part of it. (Bounds taken from a
 * joined table are not used as index bounds: every play of each user would be read.) COPY takes no
 * parameters; the day is checked to be a date first.
 */
function copyPlaysOfDay(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day: ${day}`);
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return `copy (${PLAY_SELECT}
  from "play_counts" c
  join "listening_events" e on e."user_id" = c."user_id" and e."played_at" >= '${day} 00:00:00+00' and e."played_at" < '${next} 00:00:00+00'
 where c."day" = '${day}') ${COPY_CSV}`;
}
/** Every play, for a first lake run (and, unchanged, the benchmark's baseline: the same statement with nothing after it). */
export const LAKE_COPY_ALL_PLAYS = `copy (${PLAY_SELECT} from "listening_events" e) ${COPY_CSV}`;
const copyCatalogue = (table: LakeCatalogueTable) => `copy (select ${LAKE_CATALOGUE_TABLES[table].map((column) => `"${column}"`).join(', ')} from "${table}") ${COPY_CSV}`;

/** What one snapshot read: the changes, the days' sizes and the user ids; its rows went to the caller's files. */
export interface LakeRead {
  snapshot: string;
  asOf: Date;
  /** Pending changed days; with `everything`, every day that holds a play too. */
  days: LakeChange[];
  /** Plays each of those days holds in the snapshot (0 for a day left with none). */
  dayPlays: Map<string, number>;
  tables: Array<LakeChange<LakeCatalogueTable>>;
  playRows: number;
  /** Every user id in the snapshot, for the pseudonyms written in their place. */
  userIds: string[];
}

/** Records grouped by their day or table, in the order read. */
function byKey<Key extends string>(records: Array<LakeChangeRecord & { key: Key }>): Array<LakeChange<Key>> {
  const grouped = new Map<Key, LakeChangeRecord[]>();
  for (const { key, backendPid, change } of records) {
    const list = grouped.get(key) ?? [];
    list.push({ backendPid, change });
    grouped.set(key, list);
  }
  return [...grouped].map(([key, list]) => ({ key, records: list }));
}

/** The three arrays a consume statement unnests: keys, backends, change numbers (as text: bigint). */
const consumeParameters = (records: Array<LakeChangeRecord & { key: string }>) => [records.map((r) => r.key), records.map((r) => r.backendPid), records.map((r) => String(r.change))];

export class LakeSource {
  private constructor(
    private readonly client: pg.Client,
    readonly where: string,
  ) {}

  static async open(databaseUrl: string): Promise<LakeSource> {
    const client = new pg.Client({ connectionString: databaseUrl, application_name: 'playlog-lake-export' });
    try {
      await client.connect();
    } catch (error) {
      throw new Error(`cannot connect to Postgres at DATABASE_URL (${describeDatabaseUrl(databaseUrl)}): ${(error as Error).message}`);
    }
    // A connection lost mid-run must fail the run, not crash the process on an unhandled 'error' event.
    client.on('error', () => undefined);
    return new LakeSource(client, describeDatabaseUrl(databaseUrl));
  }

  /** True when no other lake run holds the lock; the lock lasts as long as this connection. */
  async tryLock(): Promise<boolean> {
    const [row] = await runStatementOnClient(this.client, lakeTryLockStatement, []);
    return row?.locked === true;
  }

  /** Whether anything is pending, without a snapshot (a quick answer for a run with nothing new). */
  async hasPendingChanges(): Promise<boolean> {
    const days = await runStatementOnClient(this.client, lakePendingDaysStatement, []);
    if (days.length > 0) return true;
    return (await runStatementOnClient(this.client, lakePendingTablesStatement, [])).length > 0;
  }

  /**
   * Reads, in one snapshot, what changed and the rows to write: `writePlays` consumes the CSV of the plays
   * of the changed days (or of every day, with `everything`) as COPY streams it, told which days with
   * plays to expect and every user id, and each changed catalogue table (or all) is written to
   * `catalogueFile(table)`.
   */
  async read(options: {
    everything: boolean;
    writePlays: (csv: Readable, expect: { days: ReadonlySet<string>; userIds: readonly string[] }) => Promise<void>;
    catalogueFile: (table: LakeCatalogueTable) => string;
  }): Promise<LakeRead> {
    const client = this.client;
    await client.query('begin isolation level repeatable read read only');
    try {
      // COPY writes times in the session's zone and dates in its style: UTC and ISO, whatever the server's defaults.
      await client.query(`set local timezone = 'UTC'`);
      await client.query(`set local datestyle = 'ISO, YMD'`);
      const [snapshot] = await runStatementOnClient(client, lakeSnapshotStatement, []);
      const pendingDays = byKey((await runStatementOnClient(client, lakePendingDaysStatement, [])).map((row) => ({ key: row.day, backendPid: row.backend_pid, change: row.change })));
      const pendingTables = byKey(
        (await runStatementOnClient(client, lakePendingTablesStatement, [])).flatMap((row) =>
          isLakeCatalogueTable(row.name) ? [{ key: row.name, backendPid: row.backend_pid, change: row.change }] : [],
        ),
      );
      const sizes = await runStatementOnClient(client, options.everything ? lakeStoredDaySizesStatement : lakePendingDaySizesStatement, []);
      const dayPlays = new Map(sizes.map((row) => [row.day, row.plays]));
      let days = pendingDays;
      let tables = pendingTables;
      if (options.everything) {
        // Days pending with no play left are written too: as nothing (their partition is removed).
        const pending = new Map(pendingDays.map((day) => [day.key, day.records]));
        for (const day of pending.keys()) if (!dayPlays.has(day)) dayPlays.set(day, 0);
        days = [...dayPlays.keys()].sort().map((key) => ({ key, records: pending.get(key) ?? [] }));
        const pendingTable = new Map(pendingTables.map((table) => [table.key, table.records]));
        tables = (Object.keys(LAKE_CATALOGUE_TABLES) as LakeCatalogueTable[]).sort().map((key) => ({ key, records: pendingTable.get(key) ?? [] }));
      }
      const userIds = (await runStatementOnClient(client, lakeUserIdsStatement, [])).map((row) => row.id);
      const expectedPlays = [...dayPlays.values()].reduce((sum, plays) => sum + plays, 0);
      let playRows = 0;
      if (expectedPlays > 0) {
        const daysWithPlays = [...dayPlays].filter(([, plays]) => plays > 0).map(([day]) => day);
        const copies = options.everything ? [LAKE_COPY_ALL_PLAYS] : daysWithPlays.map(copyPlaysOfDay);
        // One stream of CSV, whatever the number of COPY statements it comes from.
        async function* csv(): AsyncGenerator<Buffer> {
          for (const sql of copies) {
            const copy = client.query(copyTo(sql));
            for await (const chunk of copy) yield chunk as Buffer;
            playRows += copy.rowCount;
          }
        }
        await options.writePlays(Readable.from(csv()), { days: new Set(daysWithPlays), userIds });
        if (playRows !== expectedPlays) throw new Error(`read ${playRows} plays but the daily counts say ${expectedPlays}`);
      }
      for (const { key } of tables) await this.copyToFile(copyCatalogue(key), options.catalogueFile(key));
      await client.query('commit');
      return { snapshot: snapshot!.snapshot, asOf: snapshot!.as_of, days, dayPlays, tables, playRows, userIds };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
  }

  /** Forgets the change records a finished lake run read (each only if unchanged since). */
  async consume(read: Pick<LakeRead, 'days' | 'tables'>): Promise<void> {
    const days = read.days.flatMap((day) => day.records.map((record) => ({ key: day.key, ...record })));
    const tables = read.tables.flatMap((table) => table.records.map((record) => ({ key: table.key, ...record })));
    if (days.length > 0) await runStatementOnClient(this.client, lakeConsumeDaysStatement, consumeParameters(days));
    if (tables.length > 0) await runStatementOnClient(this.client, lakeConsumeTablesStatement, consumeParameters(tables));
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  private async copyToFile(sql: string, path: string): Promise<void> {
    await pipeline(this.client.query(copyTo(sql)), createWriteStream(path));
  }
}
