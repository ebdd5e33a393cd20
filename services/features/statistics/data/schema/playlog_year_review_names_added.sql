-- Names a streaming history or a listen gave a track Spotify no longer knows decide the artist and album its
-- plays count for: the user's year_review_versions move on at the earliest UTC year of their plays of those
-- tracks (none when the names came before the plays, whose own trigger then moves them on).
create or replace function "playlog_year_review_names_added"() returns trigger language plpgsql as $$
  begin
    insert into "year_review_versions" ("user_id", "year", "version")
    select f."user_id", extract(year from (min(f."first") - interval '1 day') at time zone 'UTC'), 1
      from (select n."user_id", (select min(e."played_at") from "listening_events" e where e."track_id" = n."track_id" and e."user_id" = n."user_id") as "first"
              from (select distinct a."user_id", a."track_id" from "added_names" a) n) f
     where f."first" is not null group by 1 order by 1
    on conflict ("user_id", "year") do update set "version" = "year_review_versions"."version" + 1;
    return null;
  end $$;

create or replace trigger "export_track_names_year_review_added" after insert on "export_track_names"
  referencing new table as "added_names" for each statement execute function "playlog_year_review_names_added"();
