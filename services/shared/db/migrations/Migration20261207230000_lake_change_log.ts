import { Migration } from '@mikro-orm/migrations';

/**
 * The data lake's change records (docs/lake.md, "How changes are recorded") without a row that every writer
 * updates. Until now each UTC day had one row in lake_changed_days, and each catalogue table one in
 * lake_changed_tables, upserted by every statement that stored a play of that day or added a catalogue row:
 * concurrent writers of different users queued for that row until each committed (issue 31). Now a record is
 * kept per day (or table) and Postgres backend, `backend_pid`: a backend runs one transaction at a time, so no
 * two concurrent writers ever update the same record. A backend's first record of a day (or table) takes over
 * those left by backends that have ended, so the records stay about as few as the days changed times the
 * connections open, whether or not a lake run deletes them. A lake run still deletes only the records it read,
 * each only if its number is unchanged. The days' triggers share `playlog_lake_record_days`.
 *
 * Pending records stay pending, as records of backend 0 (no backend has that process id: the first backend to
 * record the same day takes them over). The definitions below are this migration's own copies, frozen: the
 * current ones are the source files of features/lake/data/schema/. `down` keeps, of each day's and table's
 * records, the latest.
 */
const RECORD_DAYS = `
create or replace function "playlog_lake_record_days"("days" date[]) returns void language plpgsql as $$
  begin
    if exists (select 1 from unnest("days") d("day")
                where not exists (select 1 from "lake_changed_days" r where r."day" = d."day" and r."backend_pid" = pg_backend_pid())) then
      delete from "lake_changed_days" r where (r."day", r."backend_pid") in (
        select e."day", e."backend_pid" from "lake_changed_days" e
         where e."day" = any("days") and e."backend_pid" <> pg_backend_pid()
           and not exists (select 1 from pg_stat_get_backend_idset() s("id") where pg_stat_get_backend_pid(s."id") = e."backend_pid")
           for update skip locked);
    end if;
    insert into "lake_changed_days" ("day", "backend_pid", "change")
    select d."day", pg_backend_pid(), nextval('lake_change_seq') from unnest("days") d("day")
    on conflict ("day", "backend_pid") do update set "change" = excluded."change";
  end $$;`;

const PLAYS_INSERTED = `
create or replace function "playlog_lake_plays_inserted"() returns trigger language plpgsql as $$
  begin
    perform "playlog_lake_record_days"(array(select distinct (p."played_at" at time zone 'UTC')::date from "lake_new_plays" p));
    return null;
  end $$;`;

const PLAYS_DELETED = `
create or replace function "playlog_lake_plays_deleted"() returns trigger language plpgsql as $$
  begin
    perform "playlog_lake_record_days"(array(select distinct (p."played_at" at time zone 'UTC')::date from "lake_old_plays" p));
    return null;
  end $$;`;

const PLAYS_UPDATED = `
create or replace function "playlog_lake_plays_updated"() returns trigger language plpgsql as $$
  begin
    perform "playlog_lake_record_days"(array(
      select (p."played_at" at time zone 'UTC')::date from "lake_new_plays" p
      union
      select (p."played_at" at time zone 'UTC')::date from "lake_old_plays" p));
    return null;
  end $$;`;

const TABLE_CHANGED = `
create or replace function "playlog_lake_table_changed"() returns trigger language plpgsql as $$
  begin
    if exists (select 1 from "lake_changed_rows") then
      if not exists (select 1 from "lake_changed_tables" r where r."name" = TG_TABLE_NAME and r."backend_pid" = pg_backend_pid()) then
        delete from "lake_changed_tables" r where (r."name", r."backend_pid") in (
          select e."name", e."backend_pid" from "lake_changed_tables" e
           where e."name" = TG_TABLE_NAME and e."backend_pid" <> pg_backend_pid()
             and not exists (select 1 from pg_stat_get_backend_idset() s("id") where pg_stat_get_backend_pid(s."id") = e."backend_pid")
             for update skip locked);
      end if;
      insert into "lake_changed_tables" ("name", "backend_pid", "change") values (TG_TABLE_NAME, pg_backend_pid(), nextval('lake_change_seq'))
      on conflict ("name", "backend_pid") do update set "change" = excluded."change";
    end if;
    return null;
  end $$;`;

/** The bodies Migration20261205150000_lake_changes defined, for `down`. */
const ROW_PER_DAY = (transitionTable: string) => `
    insert into "lake_changed_days" ("day", "change")
    select d."day", nextval('lake_change_seq') from (select distinct (p."played_at" at time zone 'UTC')::date as "day" from "${transitionTable}" p order by 1) d
    on conflict ("day") do update set "change" = excluded."change";`;

const ROW_PER_DAY_UPDATED = `
    insert into "lake_changed_days" ("day", "change")
    select d."day", nextval('lake_change_seq') from (
      select (p."played_at" at time zone 'UTC')::date as "day" from "lake_new_plays" p
      union
      select (p."played_at" at time zone 'UTC')::date from "lake_old_plays" p
      order by 1) d
    on conflict ("day") do update set "change" = excluded."change";`;

const ROW_PER_TABLE = `
    if exists (select 1 from "lake_changed_rows") then
      insert into "lake_changed_tables" ("name", "change") values (TG_TABLE_NAME, nextval('lake_change_seq'))
      on conflict ("name") do update set "change" = excluded."change";
    end if;`;

const triggerFunction = (name: string, body: string) => `
create or replace function "${name}"() returns trigger language plpgsql as $$
  begin ${body}
    return null;
  end $$;`;

export class Migration20261207230000_lake_change_log extends Migration {
  override async up(): Promise<void> {
    for (const table of ['lake_changed_days', 'lake_changed_tables']) {
      const key = table === 'lake_changed_days' ? 'day' : 'name';
      this.addSql(`alter table "${table}" add column "backend_pid" integer not null default 0;`);
      this.addSql(`alter table "${table}" alter column "backend_pid" drop default;`);
      this.addSql(`alter table "${table}" drop constraint "${table}_pkey";`);
      this.addSql(`alter table "${table}" add constraint "${table}_pkey" primary key ("${key}", "backend_pid");`);
    }
    for (const definition of [RECORD_DAYS, PLAYS_INSERTED, PLAYS_DELETED, PLAYS_UPDATED, TABLE_CHANGED]) this.addSql(definition);
  }

  override async down(): Promise<void> {
    for (const table of ['lake_changed_days', 'lake_changed_tables']) {
      const key = table === 'lake_changed_days' ? 'day' : 'name';
      this.addSql(`delete from "${table}" r using "${table}" later where later."${key}" = r."${key}" and later."change" > r."change";`);
      this.addSql(`alter table "${table}" drop constraint "${table}_pkey";`);
      this.addSql(`alter table "${table}" drop column "backend_pid";`);
      this.addSql(`alter table "${table}" add constraint "${table}_pkey" primary key ("${key}");`);
    }
    this.addSql(triggerFunction('playlog_lake_plays_inserted', ROW_PER_DAY('lake_new_plays')));
    this.addSql(triggerFunction('playlog_lake_plays_deleted', ROW_PER_DAY('lake_old_plays')));
    this.addSql(triggerFunction('playlog_lake_plays_updated', ROW_PER_DAY_UPDATED));
    this.addSql(triggerFunction('playlog_lake_table_changed', ROW_PER_TABLE));
    this.addSql(`drop function "playlog_lake_record_days"(date[]);`);
  }
}
