-- What the data lake (docs/lake.md) has not seen: the UTC days of the plays a statement stored, recorded in
-- the transaction of the change whatever wrote it. Each record takes a number from lake_change_seq: an
-- export deletes only the records it saw, so a change made while it runs stays for the next run. Sorted
-- days, so concurrent statements lock the same rows in the same order (no deadlock).
create or replace function "playlog_lake_plays_inserted"() returns trigger language plpgsql as $$
  begin
    insert into "lake_changed_days" ("day", "change")
    select d."day", nextval('lake_change_seq') from (select distinct (p."played_at" at time zone 'UTC')::date as "day" from "lake_new_plays" p order by 1) d
    on conflict ("day") do update set "change" = excluded."change";
    return null;
  end $$;

create or replace trigger "listening_events_lake_inserted" after insert on "listening_events"
  referencing new table as "lake_new_plays" for each statement execute function "playlog_lake_plays_inserted"();
