-- The UTC days of the plays a statement deleted, for the data lake (as playlog_lake_plays_inserted.sql).
create or replace function "playlog_lake_plays_deleted"() returns trigger language plpgsql as $$
  begin
    perform "playlog_lake_record_days"(array(select distinct (p."played_at" at time zone 'UTC')::date from "lake_old_plays" p));
    return null;
  end $$;

create or replace trigger "listening_events_lake_deleted" after delete on "listening_events"
  referencing old table as "lake_old_plays" for each statement execute function "playlog_lake_plays_deleted"();
