import { Migration } from '@mikro-orm/migrations';

/** The counting rule and a play's time (stats.repository.ts), for the plays `n` of a trigger's transition table and their track `t`. */
const COUNTED = `(n."source" = 'poll' or n."ms_played" >= 30000)`;
const PLAY_MS = `coalesce(n."ms_played", t."duration_ms")`;

/**
 * Pre-aggregated statistics (docs/stats.md), kept exact by statement-level triggers on listening_events
 * in the transaction of every write: polls, imports, account deletion, the operator's tools. Only rows a
 * statement really inserted or deleted are seen, so a replay counts nothing.
 *
 * - `stats_quarters`: counted plays and time per user per UTC quarter hour. Every offset in use is a
 *   multiple of 15 minutes, so every local day, hour, week, month and year of any zone is a whole number of
 *   quarters: local figures sum quarters, exactly, in any zone.
 * - `stats_tracks`: counted plays, time, first and last play per user per track: all-time rankings, and
 *   albums and artists through the catalogue.
 * A deleted play's track gets its first and last play recounted from the plays that remain.
 */
export class Migration20261202170000_stats_rollups extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "stats_quarters" ("user_id" uuid not null, "quarter" timestamptz not null, "plays" int not null, "ms_played" bigint not null, constraint "stats_quarters_pkey" primary key ("user_id", "quarter"));`,
    );
    this.addSql(
      `create table "stats_tracks" ("user_id" uuid not null, "track_id" text not null, "plays" int not null, "ms_played" bigint not null, "first_played_at" timestamptz not null, "last_played_at" timestamptz not null, constraint "stats_tracks_pkey" primary key ("user_id", "track_id"));`,
    );
    this.addSql(`alter table "stats_quarters" add constraint "stats_quarters_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "stats_tracks" add constraint "stats_tracks_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`
      create function "playlog_stats_stored_plays"() returns trigger language plpgsql as $$
      begin
        -- Sorted, so concurrent statements lock the rollup rows in the same order (no deadlock).
        insert into "stats_quarters" ("user_id", "quarter", "plays", "ms_played")
        select n."user_id", date_bin('15 minutes', n."played_at", timestamptz '2000-01-01 00:00:00+00'), count(*), sum(${PLAY_MS})
          from "stored_plays" n join "tracks" t on t."id" = n."track_id" where ${COUNTED} group by 1, 2 order by 1, 2
        on conflict ("user_id", "quarter") do update set "plays" = "stats_quarters"."plays" + excluded."plays", "ms_played" = "stats_quarters"."ms_played" + excluded."ms_played";
        insert into "stats_tracks" ("user_id", "track_id", "plays", "ms_played", "first_played_at", "last_played_at")
        select n."user_id", n."track_id", count(*), sum(${PLAY_MS}), min(n."played_at"), max(n."played_at")
          from "stored_plays" n join "tracks" t on t."id" = n."track_id" where ${COUNTED} group by 1, 2 order by 1, 2
        on conflict ("user_id", "track_id") do update set
          "plays" = "stats_tracks"."plays" + excluded."plays", "ms_played" = "stats_tracks"."ms_played" + excluded."ms_played",
          "first_played_at" = least("stats_tracks"."first_played_at", excluded."first_played_at"),
          "last_played_at" = greatest("stats_tracks"."last_played_at", excluded."last_played_at");
        return null;
      end $$;`);
    this.addSql(`
      create function "playlog_stats_deleted_plays"() returns trigger language plpgsql as $$
      begin
        update "stats_quarters" q set "plays" = q."plays" - d."plays", "ms_played" = q."ms_played" - d."ms"
          from (select n."user_id", date_bin('15 minutes', n."played_at", timestamptz '2000-01-01 00:00:00+00') as "quarter", count(*) as "plays", sum(${PLAY_MS}) as "ms"
                  from "deleted_plays" n join "tracks" t on t."id" = n."track_id" where ${COUNTED} group by 1, 2 order by 1, 2) d
         where q."user_id" = d."user_id" and q."quarter" = d."quarter";
        delete from "stats_quarters" q using (select distinct n."user_id" from "deleted_plays" n) d where q."user_id" = d."user_id" and q."plays" <= 0;
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
      end $$;`);
    this.addSql(`create trigger "listening_events_stats_stored" after insert on "listening_events" referencing new table as "stored_plays" for each statement execute function "playlog_stats_stored_plays"();`);
    this.addSql(`create trigger "listening_events_stats_deleted" after delete on "listening_events" referencing old table as "deleted_plays" for each statement execute function "playlog_stats_deleted_plays"();`);
    this.addSql(`
      insert into "stats_quarters" ("user_id", "quarter", "plays", "ms_played")
      select n."user_id", date_bin('15 minutes', n."played_at", timestamptz '2000-01-01 00:00:00+00'), count(*), sum(${PLAY_MS})
        from "listening_events" n join "tracks" t on t."id" = n."track_id" where ${COUNTED} group by 1, 2;`);
    this.addSql(`
      insert into "stats_tracks" ("user_id", "track_id", "plays", "ms_played", "first_played_at", "last_played_at")
      select n."user_id", n."track_id", count(*), sum(${PLAY_MS}), min(n."played_at"), max(n."played_at")
        from "listening_events" n join "tracks" t on t."id" = n."track_id" where ${COUNTED} group by 1, 2;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger "listening_events_stats_deleted" on "listening_events";`);
    this.addSql(`drop trigger "listening_events_stats_stored" on "listening_events";`);
    this.addSql(`drop function "playlog_stats_deleted_plays"();`);
    this.addSql(`drop function "playlog_stats_stored_plays"();`);
    this.addSql(`drop table "stats_tracks";`);
    this.addSql(`drop table "stats_quarters";`);
  }
}
