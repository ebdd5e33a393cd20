import { Migration } from '@mikro-orm/migrations';

/**
 * Years in review served from what was computed before, while still exact (docs/stats.md, "The year in review").
 *
 * - `year_reviews`: a user's year in review per year and time zone, as last computed, with the version it was
 *   computed at;
 * - `year_review_versions`: per user and UTC year, how often something a review counts changed from that year
 *   on. The statistics triggers of listening_events add one at the earliest year a statement's counted plays
 *   (stored or deleted) can reach; new triggers on export_track_names and track_artists do the same for the
 *   names and credits that decide which artist and album a play counts for. A review of year Y is current
 *   while the sum of its user's versions up to Y is unchanged.
 *
 * The definitions below are this migration's own copies, frozen: the current ones are the source files of
 * features/statistics/data/schema/. `down` restores the statistics triggers' functions as they were before it.
 */
const STORED_PLAYS = `
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
  end $$;`;

const DELETED_PLAYS = `
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
  end $$;`;

const NAMES_ADDED = `
create or replace function "playlog_year_review_names_added"() returns trigger language plpgsql as $$
  begin
    insert into "year_review_versions" ("user_id", "year", "version")
    select f."user_id", extract(year from (min(f."first") - interval '1 day') at time zone 'UTC'), 1
      from (select n."user_id", (select min(e."played_at") from "listening_events" e where e."track_id" = n."track_id" and e."user_id" = n."user_id") as "first"
              from (select distinct a."user_id", a."track_id" from "added_names" a) n) f
     where f."first" is not null group by 1 order by 1
    on conflict ("user_id", "year") do update set "version" = "year_review_versions"."version" + 1;
    return null;
  end $$;`;

const CREDITS_ADDED = `
create or replace function "playlog_year_review_credits_added"() returns trigger language plpgsql as $$
  begin
    insert into "year_review_versions" ("user_id", "year", "version")
    select f."user_id", extract(year from (min(f."first") - interval '1 day') at time zone 'UTC'), 1
      from (select distinct a."track_id" from "added_credits" a) c
      cross join lateral (select e."user_id", min(e."played_at") as "first" from "listening_events" e where e."track_id" = c."track_id" group by 1) f
     group by 1 order by 1
    on conflict ("user_id", "year") do update set "version" = "year_review_versions"."version" + 1;
    return null;
  end $$;`;

const STORED_PLAYS_BEFORE = `
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
    )
    insert into "stats_tracks" ("user_id", "track_id", "plays", "ms_played", "first_played_at", "last_played_at")
      select p."user_id", p."track_id", count(*), sum(p."ms"), min(p."played_at"), max(p."played_at") from p group by 1, 2 order by 1, 2
      on conflict ("user_id", "track_id") do update set
        "plays" = "stats_tracks"."plays" + excluded."plays", "ms_played" = "stats_tracks"."ms_played" + excluded."ms_played",
        "first_played_at" = least("stats_tracks"."first_played_at", excluded."first_played_at"),
        "last_played_at" = greatest("stats_tracks"."last_played_at", excluded."last_played_at");
    return null;
  end $$;`;

const DELETED_PLAYS_BEFORE = `
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
  end $$;`;

export class Migration20261208120000_year_reviews extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "year_reviews" ("user_id" uuid not null, "year" int not null, "time_zone" text not null, "version" bigint not null, "review" jsonb not null, "computed_at" timestamptz not null, constraint "year_reviews_pkey" primary key ("user_id", "year", "time_zone"));`);
    this.addSql(`create table "year_review_versions" ("user_id" uuid not null, "year" int not null, "version" bigint not null, constraint "year_review_versions_pkey" primary key ("user_id", "year"));`);
    this.addSql(`alter table "year_reviews" add constraint "year_reviews_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "year_review_versions" add constraint "year_review_versions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(STORED_PLAYS);
    this.addSql(DELETED_PLAYS);
    this.addSql(NAMES_ADDED);
    this.addSql(`create trigger "export_track_names_year_review_added" after insert on "export_track_names"
  referencing new table as "added_names" for each statement execute function "playlog_year_review_names_added"();`);
    this.addSql(CREDITS_ADDED);
    this.addSql(`create trigger "track_artists_year_review_added" after insert on "track_artists"
  referencing new table as "added_credits" for each statement execute function "playlog_year_review_credits_added"();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger "track_artists_year_review_added" on "track_artists";`);
    this.addSql(`drop function "playlog_year_review_credits_added"();`);
    this.addSql(`drop trigger "export_track_names_year_review_added" on "export_track_names";`);
    this.addSql(`drop function "playlog_year_review_names_added"();`);
    this.addSql(STORED_PLAYS_BEFORE);
    this.addSql(DELETED_PLAYS_BEFORE);
    this.addSql(`drop table "year_review_versions";`);
    this.addSql(`drop table "year_reviews";`);
  }
}
