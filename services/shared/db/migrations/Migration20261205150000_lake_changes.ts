import { Migration } from '@mikro-orm/migrations';

/**
 * What the data lake (docs/lake.md) has not seen yet: the UTC days whose plays changed and the catalogue
 * tables that changed since the last `lake:export`. Statement-level triggers record them in the same
 * transaction as the change, so nothing is missed, whatever wrote it (a poll, an import of old history,
 * an account deletion). Each record carries a number from one sequence: an export deletes only the
 * records it saw, so a change made while it runs stays for the next run.
 */
const CATALOGUE_TABLES = ['tracks', 'albums', 'artists', 'track_artists'] as const;

const changedDays = (transitionTable: string) => `
        insert into "lake_changed_days" ("day", "change")
        select d."day", nextval('lake_change_seq') from (select distinct (p."played_at" at time zone 'UTC')::date as "day" from "${transitionTable}" p order by 1) d
        on conflict ("day") do update set "change" = excluded."change";`;

export class Migration20261205150000_lake_changes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create sequence "lake_change_seq";`);
    this.addSql(`create table "lake_changed_days" ("day" date not null, "change" bigint not null, constraint "lake_changed_days_pkey" primary key ("day"));`);
    this.addSql(`create table "lake_changed_tables" ("name" text not null, "change" bigint not null, constraint "lake_changed_tables_pkey" primary key ("name"));`);

    // Sorted days, so concurrent statements lock the same rows in the same order (no deadlock).
    this.addSql(`
      create function "playlog_lake_plays_inserted"() returns trigger language plpgsql as $$
      begin ${changedDays('lake_new_plays')}
        return null;
      end $$;`);
    this.addSql(`
      create function "playlog_lake_plays_deleted"() returns trigger language plpgsql as $$
      begin ${changedDays('lake_old_plays')}
        return null;
      end $$;`);
    // An update may move a play to another day: both days change.
    this.addSql(`
      create function "playlog_lake_plays_updated"() returns trigger language plpgsql as $$
      begin
        insert into "lake_changed_days" ("day", "change")
        select d."day", nextval('lake_change_seq') from (
          select (p."played_at" at time zone 'UTC')::date as "day" from "lake_new_plays" p
          union
          select (p."played_at" at time zone 'UTC')::date from "lake_old_plays" p
          order by 1) d
        on conflict ("day") do update set "change" = excluded."change";
        return null;
      end $$;`);
    this.addSql(`create trigger "listening_events_lake_inserted" after insert on "listening_events" referencing new table as "lake_new_plays" for each statement execute function "playlog_lake_plays_inserted"();`);
    this.addSql(`create trigger "listening_events_lake_deleted" after delete on "listening_events" referencing old table as "lake_old_plays" for each statement execute function "playlog_lake_plays_deleted"();`);
    this.addSql(
      `create trigger "listening_events_lake_updated" after update on "listening_events" referencing old table as "lake_old_plays" new table as "lake_new_plays" for each statement execute function "playlog_lake_plays_updated"();`,
    );

    // A statement-level trigger fires even when the statement changed no row (the catalogue's inserts
    // are ON CONFLICT DO NOTHING and usually insert nothing): only a real change is recorded.
    this.addSql(`
      create function "playlog_lake_table_changed"() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from "lake_changed_rows") then
          insert into "lake_changed_tables" ("name", "change") values (TG_TABLE_NAME, nextval('lake_change_seq'))
          on conflict ("name") do update set "change" = excluded."change";
        end if;
        return null;
      end $$;`);
    for (const table of CATALOGUE_TABLES) {
      for (const [event, transition] of [['insert', 'new'], ['update', 'new'], ['delete', 'old']] as const) {
        this.addSql(
          `create trigger "${table}_lake_${event}" after ${event} on "${table}" referencing ${transition} table as "lake_changed_rows" for each statement execute function "playlog_lake_table_changed"();`,
        );
      }
    }

    // An export finds a changed day's plays through its daily counts (one primary-key range per user).
    this.addSql(`create index "play_counts_day_index" on "play_counts" ("day");`);

    // Everything already stored is new to the lake.
    this.addSql(`insert into "lake_changed_days" ("day", "change") select "day", nextval('lake_change_seq') from (select distinct "day" from "play_counts" order by 1) d;`);
    this.addSql(`insert into "lake_changed_tables" ("name", "change") values ${CATALOGUE_TABLES.map((table) => `('${table}', nextval('lake_change_seq'))`).join(', ')};`);
  }

  override async down(): Promise<void> {
    for (const table of CATALOGUE_TABLES) {
      for (const event of ['insert', 'update', 'delete']) this.addSql(`drop trigger "${table}_lake_${event}" on "${table}";`);
    }
    this.addSql(`drop function "playlog_lake_table_changed"();`);
    for (const event of ['inserted', 'deleted', 'updated']) this.addSql(`drop trigger "listening_events_lake_${event}" on "listening_events";`);
    for (const event of ['inserted', 'deleted', 'updated']) this.addSql(`drop function "playlog_lake_plays_${event}"();`);
    this.addSql(`drop index "play_counts_day_index";`);
    this.addSql(`drop table "lake_changed_tables";`);
    this.addSql(`drop table "lake_changed_days";`);
    this.addSql(`drop sequence "lake_change_seq";`);
  }
}
