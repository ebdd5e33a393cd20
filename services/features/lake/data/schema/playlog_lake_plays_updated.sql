-- The UTC days of the plays a statement updated, for the data lake (as playlog_lake_plays_inserted.sql):
-- an update may move a play to another day, so both days change.
create or replace function "playlog_lake_plays_updated"() returns trigger language plpgsql as $$
  begin
    perform "playlog_lake_record_days"(array(
      select (p."played_at" at time zone 'UTC')::date from "lake_new_plays" p
      union
      select (p."played_at" at time zone 'UTC')::date from "lake_old_plays" p));
    return null;
  end $$;

create or replace trigger "listening_events_lake_updated" after update on "listening_events"
  referencing old table as "lake_old_plays" new table as "lake_new_plays" for each statement execute function "playlog_lake_plays_updated"();
