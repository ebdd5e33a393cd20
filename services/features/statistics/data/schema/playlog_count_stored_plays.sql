-- A history's total without counting its plays: play_counts holds each user's plays per UTC day, every
-- stored play, short ones too. The transition table holds only the rows a statement really inserted, so a
-- replayed batch (ON CONFLICT DO NOTHING) counts nothing.
create or replace function "playlog_count_stored_plays"() returns trigger language plpgsql as $$
  begin
    -- Sorted, so concurrent statements lock the day rows in the same order (no deadlock).
    insert into "play_counts" ("user_id", "day", "plays")
    select n."user_id", (n."played_at" at time zone 'UTC')::date, count(*) from "stored_plays" n group by 1, 2 order by 1, 2
    on conflict ("user_id", "day") do update set "plays" = "play_counts"."plays" + excluded."plays";
    return null;
  end $$;

create or replace trigger "listening_events_count_stored" after insert on "listening_events"
  referencing new table as "stored_plays" for each statement execute function "playlog_count_stored_plays"();
