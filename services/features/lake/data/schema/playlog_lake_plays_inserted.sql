-- The UTC days of the plays a statement stored, for the data lake (playlog_lake_record_days.sql says how
-- they are recorded).
create or replace function "playlog_lake_plays_inserted"() returns trigger language plpgsql as $$
  begin
    perform "playlog_lake_record_days"(array(select distinct (p."played_at" at time zone 'UTC')::date from "lake_new_plays" p));
    return null;
  end $$;

create or replace trigger "listening_events_lake_inserted" after insert on "listening_events"
  referencing new table as "lake_new_plays" for each statement execute function "playlog_lake_plays_inserted"();
