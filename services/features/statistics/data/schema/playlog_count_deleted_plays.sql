-- play_counts lessened by the plays a statement deleted (a user's plays are never updated in place: a
-- play's user, instant and track are its key); a day left without plays is removed.
create or replace function "playlog_count_deleted_plays"() returns trigger language plpgsql as $$
  begin
    update "play_counts" c set "plays" = c."plays" - d."plays"
      from (select o."user_id", (o."played_at" at time zone 'UTC')::date as "day", count(*) as "plays" from "deleted_plays" o group by 1, 2 order by 1, 2) d
     where c."user_id" = d."user_id" and c."day" = d."day";
    delete from "play_counts" c using (select distinct o."user_id" from "deleted_plays" o) d where c."user_id" = d."user_id" and c."plays" <= 0;
    return null;
  end $$;

create or replace trigger "listening_events_count_deleted" after delete on "listening_events"
  referencing old table as "deleted_plays" for each statement execute function "playlog_count_deleted_plays"();
