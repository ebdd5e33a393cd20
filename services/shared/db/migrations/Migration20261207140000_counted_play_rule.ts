import { Migration } from '@mikro-orm/migrations';

/**
 * The counting rule of statistics as one SQL function, `playlog_counts_as_play` (docs/stats.md), which the
 * rollup triggers call from now on, as the statistics statements, recounts and rebuilds do. Plain SQL and
 * immutable, so Postgres inlines it: every plan stays the one the rule written out had.
 *
 * The definitions below are this migration's own copies, frozen: the current ones are the source files
 * of features/statistics/data/schema/ (docs/architecture.md, "The data layer"), which a test compares with
 * a migrated database. `down` restores the triggers' functions as Migration20261202180000 left them.
 */
const COUNTS_AS_PLAY = `
create or replace function "playlog_counts_as_play"("source" text, "ms_played" integer) returns boolean
  language sql immutable parallel safe as $$
    select "source" = 'poll' or "ms_played" >= 30000
  $$;`;

/** The rule for the plays `alias` of a trigger: the function from now on, written out before. */
type Rule = (alias: string) => string;
const CALL: Rule = (alias) => `"playlog_counts_as_play"(${alias}."source", ${alias}."ms_played")`;
const WRITTEN_OUT: Rule = (alias) => `(${alias}."source" = 'poll' or ${alias}."ms_played" >= 30000)`;

const storedPlays = (counts: Rule) => `
create or replace function "playlog_stats_stored_plays"() returns trigger language plpgsql as $$
  begin
    with p as materialized (
      select n."user_id", n."played_at", n."track_id", coalesce(n."ms_played", t."duration_ms") as "ms", n."played_at" at time zone u."time_zone" as "local"
        from "stored_plays" n join "tracks" t on t."id" = n."track_id" join "users" u on u."id" = n."user_id"
       where ${counts('n')}
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

const deletedPlays = (counts: Rule) => `
create or replace function "playlog_stats_deleted_plays"() returns trigger language plpgsql as $$
  begin
    update "stats_quarters" r set "plays" = r."plays" - d."plays", "ms_played" = r."ms_played" - d."ms"
      from (select n."user_id", date_bin('15 minutes', n."played_at", timestamptz '2000-01-01 00:00:00+00') as "quarter", count(*) as "plays", sum(coalesce(n."ms_played", t."duration_ms")) as "ms"
              from "deleted_plays" n join "tracks" t on t."id" = n."track_id"
             where ${counts('n')} group by 1, 2 order by 1, 2) d
     where r."user_id" = d."user_id" and r."quarter" = d."quarter";
    delete from "stats_quarters" r using (select distinct n."user_id" from "deleted_plays" n) d where r."user_id" = d."user_id" and r."plays" <= 0;

    update "stats_days" r set "plays" = r."plays" - d."plays", "ms_played" = r."ms_played" - d."ms"
      from (select n."user_id", (n."played_at" at time zone u."time_zone")::date as "day", count(*) as "plays", sum(coalesce(n."ms_played", t."duration_ms")) as "ms"
              from "deleted_plays" n join "tracks" t on t."id" = n."track_id" join "users" u on u."id" = n."user_id"
             where ${counts('n')} group by 1, 2 order by 1, 2) d
     where r."user_id" = d."user_id" and r."day" = d."day";
    delete from "stats_days" r using (select distinct n."user_id" from "deleted_plays" n) d where r."user_id" = d."user_id" and r."plays" <= 0;

    update "stats_clock" r set "plays" = r."plays" - d."plays", "ms_played" = r."ms_played" - d."ms"
      from (select n."user_id", extract(isodow from n."played_at" at time zone u."time_zone") as "weekday", extract(hour from n."played_at" at time zone u."time_zone") as "hour",
                   count(*) as "plays", sum(coalesce(n."ms_played", t."duration_ms")) as "ms"
              from "deleted_plays" n join "tracks" t on t."id" = n."track_id" join "users" u on u."id" = n."user_id"
             where ${counts('n')} group by 1, 2, 3 order by 1, 2, 3) d
     where r."user_id" = d."user_id" and r."weekday" = d."weekday" and r."hour" = d."hour";
    delete from "stats_clock" r using (select distinct n."user_id" from "deleted_plays" n) d where r."user_id" = d."user_id" and r."plays" <= 0;

    with touched as (select distinct n."user_id", n."track_id" from "deleted_plays" n order by 1, 2),
    remaining as (
      select x."user_id", x."track_id", count(e.*) as "plays", coalesce(sum(coalesce(e."ms_played", t."duration_ms")), 0) as "ms",
             min(e."played_at") as "first", max(e."played_at") as "last"
        from touched x join "tracks" t on t."id" = x."track_id"
        left join "listening_events" e on e."user_id" = x."user_id" and e."track_id" = x."track_id" and ${counts('e')}
       group by 1, 2
    ),
    gone as (delete from "stats_tracks" s using remaining r where s."user_id" = r."user_id" and s."track_id" = r."track_id" and r."plays" = 0 returning 1)
    update "stats_tracks" s set "plays" = r."plays", "ms_played" = r."ms", "first_played_at" = r."first", "last_played_at" = r."last"
      from remaining r where s."user_id" = r."user_id" and s."track_id" = r."track_id" and r."plays" > 0;
    return null;
  end $$;`;

export class Migration20261207140000_counted_play_rule extends Migration {
  override async up(): Promise<void> {
    this.addSql(COUNTS_AS_PLAY);
    this.addSql(storedPlays(CALL));
    this.addSql(deletedPlays(CALL));
  }

  override async down(): Promise<void> {
    this.addSql(storedPlays(WRITTEN_OUT));
    this.addSql(deletedPlays(WRITTEN_OUT));
    this.addSql(`drop function "playlog_counts_as_play"(text, integer);`);
  }
}
