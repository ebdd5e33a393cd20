-- A track's credited artists decide the artists its plays count for. Credits are added with their track, but a
-- track first known by its id alone gains them when Spotify later returns it: the year_review_versions of every
-- user who played it move on at the earliest UTC year of their plays of it.
create or replace function "playlog_year_review_credits_added"() returns trigger language plpgsql as $$
  begin
    insert into "year_review_versions" ("user_id", "year", "version")
    select f."user_id", extract(year from (min(f."first") - interval '1 day') at time zone 'UTC'), 1
      from (select distinct a."track_id" from "added_credits" a) c
      cross join lateral (select e."user_id", min(e."played_at") as "first" from "listening_events" e where e."track_id" = c."track_id" group by 1) f
     group by 1 order by 1
    on conflict ("user_id", "year") do update set "version" = "year_review_versions"."version" + 1;
    return null;
  end $$;

create or replace trigger "track_artists_year_review_added" after insert on "track_artists"
  referencing new table as "added_credits" for each statement execute function "playlog_year_review_credits_added"();
