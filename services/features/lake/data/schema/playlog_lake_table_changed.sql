-- The catalogue tables a statement changed, for the data lake (docs/lake.md), recorded per table and
-- Postgres backend as the changed days are (playlog_lake_record_days.sql says why, and why a backend's first
-- record of a table takes over those of backends that have ended). A statement-level trigger fires even when
-- its statement changed no row (the catalogue's inserts are ON CONFLICT DO NOTHING and usually insert
-- nothing): only a real change is recorded.
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
  end $$;

create or replace trigger "tracks_lake_insert" after insert on "tracks" referencing new table as "lake_changed_rows" for each statement execute function "playlog_lake_table_changed"();
create or replace trigger "tracks_lake_update" after update on "tracks" referencing new table as "lake_changed_rows" for each statement execute function "playlog_lake_table_changed"();
create or replace trigger "tracks_lake_delete" after delete on "tracks" referencing old table as "lake_changed_rows" for each statement execute function "playlog_lake_table_changed"();

create or replace trigger "albums_lake_insert" after insert on "albums" referencing new table as "lake_changed_rows" for each statement execute function "playlog_lake_table_changed"();
create or replace trigger "albums_lake_update" after update on "albums" referencing new table as "lake_changed_rows" for each statement execute function "playlog_lake_table_changed"();
create or replace trigger "albums_lake_delete" after delete on "albums" referencing old table as "lake_changed_rows" for each statement execute function "playlog_lake_table_changed"();

create or replace trigger "artists_lake_insert" after insert on "artists" referencing new table as "lake_changed_rows" for each statement execute function "playlog_lake_table_changed"();
create or replace trigger "artists_lake_update" after update on "artists" referencing new table as "lake_changed_rows" for each statement execute function "playlog_lake_table_changed"();
create or replace trigger "artists_lake_delete" after delete on "artists" referencing old table as "lake_changed_rows" for each statement execute function "playlog_lake_table_changed"();

create or replace trigger "track_artists_lake_insert" after insert on "track_artists" referencing new table as "lake_changed_rows" for each statement execute function "playlog_lake_table_changed"();
create or replace trigger "track_artists_lake_update" after update on "track_artists" referencing new table as "lake_changed_rows" for each statement execute function "playlog_lake_table_changed"();
create or replace trigger "track_artists_lake_delete" after delete on "track_artists" referencing old table as "lake_changed_rows" for each statement execute function "playlog_lake_table_changed"();
