-- The catalogue tables a statement changed, for the data lake (docs/lake.md), numbered as the changed
-- days are. A statement-level trigger fires even when its statement changed no row (the catalogue's
-- inserts are ON CONFLICT DO NOTHING and usually insert nothing): only a real change is recorded.
create or replace function "playlog_lake_table_changed"() returns trigger language plpgsql as $$
  begin
    if exists (select 1 from "lake_changed_rows") then
      insert into "lake_changed_tables" ("name", "change") values (TG_TABLE_NAME, nextval('lake_change_seq'))
      on conflict ("name") do update set "change" = excluded."change";
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
