import { Migration } from '@mikro-orm/migrations';

/**
 * A history's total without counting its plays: `play_counts` holds each user's plays per UTC day, kept
 * exact by statement-level triggers on listening_events (every path that stores or deletes plays passes
 * through them: polls, imports, the operator's tools, account deletion). They see only the rows a
 * statement really inserted or deleted, so a replayed batch (ON CONFLICT DO NOTHING) counts nothing.
 * Plays are never updated in place (a play's user, instant and track are its key).
 *
 * The track index gains user_id: "has this user played this track" (a catalogue node is shown only to
 * users who played it) is then one index probe rather than a walk over every user's plays of the track.
 */
export class Migration20261202150000_play_counts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "play_counts" ("user_id" uuid not null, "day" date not null, "plays" int not null, constraint "play_counts_pkey" primary key ("user_id", "day"));`);
    this.addSql(`alter table "play_counts" add constraint "play_counts_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`
      create function "playlog_count_stored_plays"() returns trigger language plpgsql as $$
      begin
        -- Sorted, so concurrent statements lock the day rows in the same order (no deadlock).
        insert into "play_counts" ("user_id", "day", "plays")
        select n."user_id", (n."played_at" at time zone 'UTC')::date, count(*) from "stored_plays" n group by 1, 2 order by 1, 2
        on conflict ("user_id", "day") do update set "plays" = "play_counts"."plays" + excluded."plays";
        return null;
      end $$;`);
    this.addSql(`
      create function "playlog_count_deleted_plays"() returns trigger language plpgsql as $$
      begin
        update "play_counts" c set "plays" = c."plays" - d."plays"
          from (select o."user_id", (o."played_at" at time zone 'UTC')::date as "day", count(*) as "plays" from "deleted_plays" o group by 1, 2 order by 1, 2) d
         where c."user_id" = d."user_id" and c."day" = d."day";
        delete from "play_counts" c using (select distinct o."user_id" from "deleted_plays" o) d where c."user_id" = d."user_id" and c."plays" <= 0;
        return null;
      end $$;`);
    this.addSql(`create trigger "listening_events_count_stored" after insert on "listening_events" referencing new table as "stored_plays" for each statement execute function "playlog_count_stored_plays"();`);
    this.addSql(`create trigger "listening_events_count_deleted" after delete on "listening_events" referencing old table as "deleted_plays" for each statement execute function "playlog_count_deleted_plays"();`);
    this.addSql(`
      insert into "play_counts" ("user_id", "day", "plays")
      select "user_id", ("played_at" at time zone 'UTC')::date, count(*) from "listening_events" group by 1, 2;`);

    this.addSql(`create index "listening_events_track_id_user_id_index" on "listening_events" ("track_id", "user_id");`);
    this.addSql(`drop index "listening_events_track_id_index";`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index "listening_events_track_id_index" on "listening_events" ("track_id");`);
    this.addSql(`drop index "listening_events_track_id_user_id_index";`);
    this.addSql(`drop trigger "listening_events_count_deleted" on "listening_events";`);
    this.addSql(`drop trigger "listening_events_count_stored" on "listening_events";`);
    this.addSql(`drop function "playlog_count_deleted_plays"();`);
    this.addSql(`drop function "playlog_count_stored_plays"();`);
    this.addSql(`drop table "play_counts";`);
  }
}
