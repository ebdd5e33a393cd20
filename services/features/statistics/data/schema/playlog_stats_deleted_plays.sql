-- The statistics rollups lessened by the counted plays a statement deleted, and their rows left without
-- plays removed. A deleted account's user row is gone already: its local rows (stats_days, stats_clock) go
-- with it by foreign key, and the join to users finds none of its plays. A track's first and last play
-- cannot be lessened: they are recounted from the plays that remain. Each remaining user's
-- year_review_versions moves on at the earliest UTC year the plays reached, as when plays are stored.
create or replace function "playlog_stats_deleted_plays"() returns trigger language plpgsql as $$
  begin
    update "stats_quarters" r set "plays" = r."plays" - d."plays", "ms_played" = r."ms_played" - d."ms"
      from (select n."user_id", date_bin('15 minutes', n."played_at", timestamptz '2000-01-01 00:00:00+00') as "quarter", count(*) as "plays", sum(coalesce(n."ms_played", t."duration_ms")) as "ms"
              from "deleted_plays" n join "tracks" t on t."id" = n."track_id"
             where "playlog_counts_as_play"(n."source", n."ms_played") group by 1, 2 order by 1, 2) d
     where r."user_id" = d."user_id" and r."quarter" = d."quarter";
    delete from "stats_quarters" r using (select distinct n."user_id" from "deleted_plays" n) d where r."user_id" = d."user_id" and r."plays" <= 0;

    update "stats_days" r set "plays" = r."plays" - d."plays", "ms_played" = r."ms_played" - d."ms"
      from (select n."user_id", (n."played_at" at time zone u."time_zone")::date as "day", count(*) as "plays", sum(coalesce(n."ms_played", t."duration_ms")) as "ms"
              from "deleted_plays" n join "tracks" t on t."id" = n."track_id" join "users" u on u."id" = n."user_id"
             where "playlog_counts_as_play"(n."source", n."ms_played") group by 1, 2 order by 1, 2) d
     where r."user_id" = d."user_id" and r."day" = d."day";
    delete from "stats_days" r using (select distinct n."user_id" from "deleted_plays" n) d where r."user_id" = d."user_id" and r."plays" <= 0;

    update "stats_clock" r set "plays" = r."plays" - d."plays", "ms_played" = r."ms_played" - d."ms"
      from (select n."user_id", extract(isodow from n."played_at" at time zone u."time_zone") as "weekday", extract(hour from n."played_at" at time zone u."time_zone") as "hour",
                   count(*) as "plays", sum(coalesce(n."ms_played", t."duration_ms")) as "ms"
              from "deleted_plays" n join "tracks" t on t."id" = n."track_id" join "users" u on u."id" = n."user_id"
             where "playlog_counts_as_play"(n."source", n."ms_played") group by 1, 2, 3 order by 1, 2, 3) d
     where r."user_id" = d."user_id" and r."weekday" = d."weekday" and r."hour" = d."hour";
    delete from "stats_clock" r using (select distinct n."user_id" from "deleted_plays" n) d where r."user_id" = d."user_id" and r."plays" <= 0;

    insert into "year_review_versions" ("user_id", "year", "version")
    select n."user_id", extract(year from (min(n."played_at") - interval '1 day') at time zone 'UTC'), 1
      from "deleted_plays" n join "users" u on u."id" = n."user_id"
     where "playlog_counts_as_play"(n."source", n."ms_played") group by 1 order by 1
    on conflict ("user_id", "year") do update set "version" = "year_review_versions"."version" + 1;

    with touched as (select distinct n."user_id", n."track_id" from "deleted_plays" n order by 1, 2),
    remaining as (
      select x."user_id", x."track_id", count(e.*) as "plays", coalesce(sum(coalesce(e."ms_played", t."duration_ms")), 0) as "ms",
             min(e."played_at") as "first", max(e."played_at") as "last"
        from touched x join "tracks" t on t."id" = x."track_id"
        left join "listening_events" e on e."user_id" = x."user_id" and e."track_id" = x."track_id" and "playlog_counts_as_play"(e."source", e."ms_played")
       group by 1, 2
    ),
    gone as (delete from "stats_tracks" s using remaining r where s."user_id" = r."user_id" and s."track_id" = r."track_id" and r."plays" = 0 returning 1)
    update "stats_tracks" s set "plays" = r."plays", "ms_played" = r."ms", "first_played_at" = r."first", "last_played_at" = r."last"
      from remaining r where s."user_id" = r."user_id" and s."track_id" = r."track_id" and r."plays" > 0;
    return null;
  end $$;

create or replace trigger "listening_events_stats_deleted" after delete on "listening_events"
  referencing old table as "deleted_plays" for each statement execute function "playlog_stats_deleted_plays"();
