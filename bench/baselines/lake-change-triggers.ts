import { readFileSync } from 'node:fs';

/**
 * Ways the data lake's change records could be kept, each as the two trigger functions that the ingest path
 * runs (`playlog_lake_plays_inserted` on listening_events, `playlog_lake_table_changed` on the catalogue)
 * and the tables they write. The lake-contention scenario swaps them in its own database, one after the
 * other, so every way runs the very same ingest on the same database in the same run. Each alternative
 * writes tables of its own (`bench_lake_*`), the same shape as the design it stands for; Playlog's own
 * functions write lake_changed_days and lake_changed_tables.
 */
export interface LakeTriggerVariant {
  name: string;
  /** Creates what the variant writes (idempotent) and replaces the two trigger functions with its own. */
  install: string;
  /** Removes every record, so each measured phase starts from none. */
  reset: string;
  /** The number of records the variant holds (days and tables together). */
  records: string;
}

const SCHEMA = new URL('../../services/features/lake/data/schema/', import.meta.url);
const schemaSource = (name: string) => readFileSync(new URL(`${name}.sql`, SCHEMA), 'utf8');

/** Playlog's triggers as its source files define them (what a migrated database runs). */
export const PLAYLOG_LAKE_TRIGGERS: LakeTriggerVariant = {
  name: 'Playlog’s triggers (data/schema)',
  install: [schemaSource('playlog_lake_plays_inserted'), schemaSource('playlog_lake_table_changed')].join('\n'),
  reset: `truncate "lake_changed_days", "lake_changed_tables"`,
  records: `select (select count(*) from "lake_changed_days") + (select count(*) from "lake_changed_tables") as "records"`,
};

/**
 * The design before Migration20261207230000_lake_change_log: ONE row per UTC day and one per catalogue
 * table, upserted by every statement that stores plays or adds a catalogue row (the functions of
 * Migration20261205150000_lake_changes, writing tables of the same shape).
 */
export const ROW_PER_DAY: LakeTriggerVariant = {
  name: 'one row per day, upserted (before)',
  install: `
create table if not exists "bench_lake_days_row" ("day" date primary key, "change" bigint not null);
create table if not exists "bench_lake_tables_row" ("name" text primary key, "change" bigint not null);
create or replace function "playlog_lake_plays_inserted"() returns trigger language plpgsql as $$
  begin
    insert into "bench_lake_days_row" ("day", "change")
    select d."day", nextval('lake_change_seq') from (select distinct (p."played_at" at time zone 'UTC')::date as "day" from "lake_new_plays" p order by 1) d
    on conflict ("day") do update set "change" = excluded."change";
    return null;
  end $$;
create or replace function "playlog_lake_table_changed"() returns trigger language plpgsql as $$
  begin
    if exists (select 1 from "lake_changed_rows") then
      insert into "bench_lake_tables_row" ("name", "change") values (TG_TABLE_NAME, nextval('lake_change_seq'))
      on conflict ("name") do update set "change" = excluded."change";
    end if;
    return null;
  end $$;`,
  reset: `truncate "bench_lake_days_row", "bench_lake_tables_row"`,
  records: `select (select count(*) from "bench_lake_days_row") + (select count(*) from "bench_lake_tables_row") as "records"`,
};

/** A new record per statement and day (or table), never updated: nothing shared, but one more record per statement. */
export const RECORD_PER_STATEMENT: LakeTriggerVariant = {
  name: 'a record per statement, insert-only',
  install: `
create table if not exists "bench_lake_days_log" ("change" bigint primary key, "day" date not null);
create index if not exists "bench_lake_days_log_day" on "bench_lake_days_log" ("day");
create table if not exists "bench_lake_tables_log" ("change" bigint primary key, "name" text not null);
create index if not exists "bench_lake_tables_log_name" on "bench_lake_tables_log" ("name");
create or replace function "playlog_lake_plays_inserted"() returns trigger language plpgsql as $$
  begin
    insert into "bench_lake_days_log" ("change", "day")
    select nextval('lake_change_seq'), d."day" from (select distinct (p."played_at" at time zone 'UTC')::date as "day" from "lake_new_plays" p order by 1) d;
    return null;
  end $$;
create or replace function "playlog_lake_table_changed"() returns trigger language plpgsql as $$
  begin
    if exists (select 1 from "lake_changed_rows") then
      insert into "bench_lake_tables_log" ("change", "name") values (nextval('lake_change_seq'), TG_TABLE_NAME);
    end if;
    return null;
  end $$;`,
  reset: `truncate "bench_lake_days_log", "bench_lake_tables_log"`,
  records: `select (select count(*) from "bench_lake_days_log") + (select count(*) from "bench_lake_tables_log") as "records"`,
};

/** The ceiling: the triggers still fire, and record nothing. */
export const NO_RECORDS: LakeTriggerVariant = {
  name: 'no change records (ceiling)',
  install: `
create or replace function "playlog_lake_plays_inserted"() returns trigger language plpgsql as $$ begin return null; end $$;
create or replace function "playlog_lake_table_changed"() returns trigger language plpgsql as $$ begin return null; end $$;`,
  reset: `select 1`,
  records: `select 0 as "records"`,
};
