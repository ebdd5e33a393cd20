import { Migration } from '@mikro-orm/migrations';

/** The counting rule and a play's time (stats-rules.ts), for the plays `n` of a trigger's transition table and their track `t`. */
const COUNTED = `(n."source" = 'poll' or n."ms_played" >= 30000)`;
const PLAY_MS = `coalesce(n."ms_played", t."duration_ms")`;
const QUARTER = `date_bin('15 minutes', n."played_at", timestamptz '2000-01-01 00:00:00+00')`;

/**
 * Statistics in the listener's own time zone, a level above the quarter hours (docs/stats.md): a whole
 * history in `me.timeZone` is then a few thousand local days and 168 clock cells, not hundreds of
 * thousands of quarters.
 *
 * - `stats_days`: counted plays and time per user per local day of `users.time_zone`.
 * - `stats_clock`: the same per user per local ISO weekday and hour, over the whole history.
 * A change of zone recomputes both from stats_quarters, exactly (a quarter hour lies in one local hour of
 * any zone), in the transaction that changes it (users.repository.ts).
 *
 * The statistics trigger now feeds all four rollups from one pass over the statement's plays, joined to
 * their tracks and users once. Sorted, so concurrent statements lock rollup rows in the same order.
 * A covering index of stats_tracks by user lets whole-history rankings and summaries read only it.
 */
const storedPlays = (withLocal: boolean) => `
  create or replace function "playlog_stats_stored_plays"() returns trigger language plpgsql as $$
  begin
    with p as materialized (
      select n."user_id", n."played_at", n."track_id", ${PLAY_MS} as "ms"${withLocal ? `, n."played_at" at time zone u."time_zone" as "local"` : ''}
        from "stored_plays" n join "tracks" t on t."id" = n."track_id"${withLocal ? ` join "users" u on u."id" = n."user_id"` : ''}
       where ${COUNTED}
    ),
    quarters as (
      insert into "stats_quarters" ("user_id", "quarter", "plays", "ms_played")
      select p."user_id", date_bin('15 minutes', p."played_at", timestamptz '2000-01-01 00:00:00+00'), count(*), sum(p."ms") from p group by 1, 2 order by 1, 2
      on conflict ("user_id", "quarter") do update set "plays" = "stats_quarters"."plays" + excluded."plays", "ms_played" = "stats_quarters"."ms_played" + excluded."ms_played"
      returning 1
    )${
      withLocal
        ? `,
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
    )`
        : ''
    }
    insert into "stats_tracks" ("user_id", "track_id", "plays", "ms_played", "first_played_at", "last_played_at")
      select p."user_id", p."track_id", count(*), sum(p."ms"), min(p."played_at"), max(p."played_at") from p group by 1, 2 order by 1, 2
      on conflict ("user_id", "track_id") do update set
        "plays" = "stats_tracks"."plays" + excluded."plays", "ms_played" = "stats_tracks"."ms_played" + excluded."ms_played",
        "first_played_at" = least("stats_tracks"."first_played_at", excluded."first_played_at"),
        "last_played_at" = greatest("stats_tracks"."last_played_at", excluded."last_played_at");
    return null;
  end $$;`;

/** A rollup's rows lessened by the deleted plays `d` grouped by its key, and its emptied rows of those users removed. */
const lessen = (table: string, key: string[], grouped: string) => `
    update "${table}" r set "plays" = r."plays" - d."plays", "ms_played" = r."ms_played" - d."ms"
      from (${grouped}) d
     where r."user_id" = d."user_id" and ${key.map((k) => `r."${k}" = d."${k}"`).join(' and ')};
    delete from "${table}" r using (select distinct n."user_id" from "deleted_plays" n) d where r."user_id" = d."user_id" and r."plays" <= 0;`;

const COUNTED_DELETED = `from "deleted_plays" n join "tracks" t on t."id" = n."track_id"`;
const LOCAL_DELETED = `from "deleted_plays" n join "tracks" t on t."id" = n."track_id" join "users" u on u."id" = n."user_id"`;

const deletedPlays = (withLocal: boolean) => `
  create or replace function "playlog_stats_deleted_plays"() returns trigger language plpgsql as $$
  begin
    ${lessen('stats_quarters', ['quarter'], `select n."user_id", ${QUARTER} as "quarter", count(*) as "plays", sum(${PLAY_MS}) as "ms" ${COUNTED_DELETED} where ${COUNTED} group by 1, 2 order by 1, 2`)}
    ${
      withLocal
        ? `-- A deleted account's user row is gone already: its local rows go with it (foreign keys).
    ${lessen('stats_days', ['day'], `select n."user_id", (n."played_at" at time zone u."time_zone")::date as "day", count(*) as "plays", sum(${PLAY_MS}) as "ms" ${LOCAL_DELETED} where ${COUNTED} group by 1, 2 order by 1, 2`)}
    ${lessen('stats_clock', ['weekday', 'hour'], `select n."user_id", extract(isodow from n."played_at" at time zone u."time_zone") as "weekday", extract(hour from n."played_at" at time zone u."time_zone") as "hour", count(*) as "plays", sum(${PLAY_MS}) as "ms" ${LOCAL_DELETED} where ${COUNTED} group by 1, 2, 3 order by 1, 2, 3`)}`
        : ''
    }
    -- A track's first and last play are recounted from the plays that remain.
    with touched as (select distinct n."user_id", n."track_id" from "deleted_plays" n order by 1, 2),
    remaining as (
      select x."user_id", x."track_id", count(e.*) as "plays", coalesce(sum(coalesce(e."ms_played", t."duration_ms")), 0) as "ms",
             min(e."played_at") as "first", max(e."played_at") as "last"
        from touched x join "tracks" t on t."id" = x."track_id"
        left join "listening_events" e on e."user_id" = x."user_id" and e."track_id" = x."track_id" and (e."source" = 'poll' or e."ms_played" >= 30000)
       group by 1, 2
    ),
    gone as (delete from "stats_tracks" s using remaining r where s."user_id" = r."user_id" and s."track_id" = r."track_id" and r."plays" = 0 returning 1)
    update "stats_tracks" s set "plays" = r."plays", "ms_played" = r."ms", "first_played_at" = r."first", "last_played_at" = r."last"
      from remaining r where s."user_id" = r."user_id" and s."track_id" = r."track_id" and r."plays" > 0;
    return null;
  end $$;`;

/** The local rollups of every user (or of one), from their quarters: also what a change of zone runs. */
const LOCAL_DAYS_FROM_QUARTERS = `
  select q."user_id", (q."quarter" at time zone u."time_zone")::date, sum(q."plays"), sum(q."ms_played")
    from "stats_quarters" q join "users" u on u."id" = q."user_id" group by 1, 2`;
const LOCAL_CLOCK_FROM_QUARTERS = `
  select q."user_id", extract(isodow from q."quarter" at time zone u."time_zone"), extract(hour from q."quarter" at time zone u."time_zone"), sum(q."plays"), sum(q."ms_played")
    from "stats_quarters" q join "users" u on u."id" = q."user_id" group by 1, 2, 3`;

const STATS_TRACKS_MEASURES_INDEX = `create index "stats_tracks_measures_index" on "stats_tracks" ("user_id") include ("track_id", "plays", "ms_played", "first_played_at", "last_played_at")`;

export class Migration20261202180000_stats_local_rollups extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "stats_days" ("user_id" uuid not null, "day" date not null, "plays" int not null, "ms_played" bigint not null, constraint "stats_days_pkey" primary key ("user_id", "day"));`,
    );
    this.addSql(
      `create table "stats_clock" ("user_id" uuid not null, "weekday" smallint not null, "hour" smallint not null, "plays" int not null, "ms_played" bigint not null, constraint "stats_clock_pkey" primary key ("user_id", "weekday", "hour"));`,
    );
    this.addSql(`alter table "stats_days" add constraint "stats_days_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "stats_clock" add constraint "stats_clock_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(storedPlays(true));
    this.addSql(deletedPlays(true));
    // A user's per-track rollup read as one index range: a heavy listener's rows lie on as many heap pages
    // as they have tracks (other users' rows come in between), their index entries on a few hundred.
    this.addSql(STATS_TRACKS_MEASURES_INDEX);
    // Under the lock the triggers' writes also need, so no play is stored between the fill and the commit.
    this.addSql(`lock table "stats_quarters" in share mode;`);
    this.addSql(`insert into "stats_days" ("user_id", "day", "plays", "ms_played") ${LOCAL_DAYS_FROM_QUARTERS};`);
    this.addSql(`insert into "stats_clock" ("user_id", "weekday", "hour", "plays", "ms_played") ${LOCAL_CLOCK_FROM_QUARTERS};`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "stats_tracks_measures_index";`);
    this.addSql(storedPlays(false));
    this.addSql(deletedPlays(false));
    this.addSql(`drop table "stats_clock";`);
    this.addSql(`drop table "stats_days";`);
  }
}
