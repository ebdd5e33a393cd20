-- The statistics rollups (docs/stats.md) kept exact in the transaction of every statement that stores
-- plays: stats_quarters (UTC quarter hours), stats_days and stats_clock (the listener's own zone) and
-- stats_tracks, all four from one pass over the statement's counted plays, joined to their tracks and users
-- once; and each user's year_review_versions, at the earliest UTC year the plays can reach (the day before the
-- earliest: a local year starts up to a day before the UTC one), so that years in review computed before are
-- no longer served. The transition table holds only the rows really inserted, so a replayed batch counts nothing.
-- Sorted, so concurrent statements lock rollup rows in the same order (no deadlock).
create or replace function "playlog_stats_stored_plays"() returns trigger language plpgsql as $$
  begin
    with p as materialized (
      select n."user_id", n."played_at", n."track_id", coalesce(n."ms_played", t."duration_ms") as "ms", n."played_at" at time zone u."time_zone" as "local"
        from "stored_plays" n join "tracks" t on t."id" = n."track_id" join "users" u on u."id" = n."user_id"
       where "playlog_counts_as_play"(n."source", n."ms_played")
    ),
    quarters as (
      insert into "stats_quarters" ("user_id", "quarter", "plays", "ms_played")
      select p."user_id", date_bin('15 minutes', p."played_at", timestamptz '2000-01-01 00:00:00+00'), count(*), sum(p."ms") from p group by 1, 2 order by 1, 2
      on conflict ("user_id", "quarter") do update set "plays" = "stats_quarters"."plays" + excluded."plays", "ms_played" = "stats_quarters"."ms_played" + excluded."ms_played"
      returning 1
    ),
    days as (
      insert into "stats_days" ("user_id", "day", "plays", "ms_played")
      select p."user_id", p."local"::date, count(*), sum(p."ms") from p group by 1, 2 order by 1, 2
      on conflict ("user_id", "day") do update set "plays" = "stats_days"."plays" + excluded."plays", "ms_played" = "stats_days"."ms_played" + excluded."ms_played"
      returning 1
    ),
    clock as (
      insert into "stats_clock" ("user_id", "weekday", "hour", "plays", "ms_played")
      select p."user_id", extract(isodow from p."local"), extract(hour from p."local"), count(*), sum(p."ms") from p group by 1, 2, 3 order by 1, 2, 3
      on conflict ("user_id", "weekday", "hour") do update set "plays" = "stats_clock"."plays" + excluded."plays", "ms_played" = "stats_clock"."ms_played" + excluded."ms_played"
      returning 1
    ),
    versions as (
      insert into "year_review_versions" ("user_id", "year", "version")
      select p."user_id", extract(year from (min(p."played_at") - interval '1 day') at time zone 'UTC'), 1 from p group by 1 order by 1
      on conflict ("user_id", "year") do update set "version" = "year_review_versions"."version" + 1
      returning 1
    )
    insert into "stats_tracks" ("user_id", "track_id", "plays", "ms_played", "first_played_at", "last_played_at")
      select p."user_id", p."track_id", count(*), sum(p."ms"), min(p."played_at"), max(p."played_at") from p group by 1, 2 order by 1, 2
      on conflict ("user_id", "track_id") do update set
        "plays" = "stats_tracks"."plays" + excluded."plays", "ms_played" = "stats_tracks"."ms_played" + excluded."ms_played",
        "first_played_at" = least("stats_tracks"."first_played_at", excluded."first_played_at"),
        "last_played_at" = greatest("stats_tracks"."last_played_at", excluded."last_played_at");
    return null;
  end $$;

create or replace trigger "listening_events_stats_stored" after insert on "listening_events"
  referencing new table as "stored_plays" for each statement execute function "playlog_stats_stored_plays"();
