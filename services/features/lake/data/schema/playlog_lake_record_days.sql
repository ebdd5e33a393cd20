-- What the data lake (docs/lake.md, "How changes are recorded") has not seen: the UTC days whose plays a
-- statement changed, recorded in the transaction of the change whatever made it (the triggers on
-- listening_events call this with the statement's distinct days). One record per day and Postgres backend
-- (the process serving the writer's connection), under the number of that backend's latest change of the day
-- from lake_change_seq: a backend runs one transaction at a time, so concurrent writers never update the same
-- record, nor wait for each other. A backend's first record of a day takes over that day's records left by
-- backends that have ended (pools close idle connections and open new ones), so the records stay about as few
-- as the days changed times the connections open, whether or not a lake run deletes them; a record another
-- transaction holds is left alone (skip locked), so that nothing waits for it.
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
  end $$;
