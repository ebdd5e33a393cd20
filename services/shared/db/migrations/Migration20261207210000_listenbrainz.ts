import { Migration } from '@mikro-orm/migrations';

/**
 * Plays from every player (docs/listenbrainz.md): a play may come from the ListenBrainz API, say which
 * client reported it and when it began; listeners make API tokens for their players (stored as hashes);
 * a ListenBrainz listen counts as a play (the client decided when to scrobble); tracks are found by their
 * title, case aside (a listen without a Spotify id joins the listener's own track of the same names).
 *
 * The counting rule below is this migration's own copy, frozen: the current one is
 * features/statistics/data/schema/playlog_counts_as_play.sql.
 */
const countsAsPlay = (sources: string) => `
create or replace function "playlog_counts_as_play"("source" text, "ms_played" integer) returns boolean
  language sql immutable parallel safe as $$
    select "source" in (${sources}) or "ms_played" >= 30000
  $$;`;

export class Migration20261207210000_listenbrainz extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "listening_events" drop constraint "listening_events_source_check";`);
    this.addSql(`alter table "listening_events" add constraint "listening_events_source_check" check ("source" in ('poll', 'import', 'listenbrainz'));`);
    this.addSql(`alter table "listening_events" add column "client" text null, add column "started_at" timestamptz null;`);
    this.addSql(
      `create table "api_tokens" ("id" uuid not null, "user_id" uuid not null, "name" text not null, "token_hash" text not null, "created_at" timestamptz not null default now(), "last_used_at" timestamptz null, constraint "api_tokens_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "api_tokens_user_id_index" on "api_tokens" ("user_id");`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`alter table "api_tokens" add constraint "api_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    // A listen names its recording by MusicBrainz id: the listener's own track of that id is found by it.
    this.addSql(`alter table "export_track_names" add column "recording_mbid" uuid null;`);
    this.addSql(`create index "export_track_names_user_id_recording_mbid_index" on "export_track_names" ("user_id", "recording_mbid") where "recording_mbid" is not null;`);
    // A listen without a Spotify id finds the listener's own track of the same title among few rows.
    this.addSql(`create index "tracks_lower_name_index" on "tracks" (lower("name"));`);
    this.addSql(countsAsPlay(`'poll', 'listenbrainz'`));
  }

  override async down(): Promise<void> {
    this.addSql(`create or replace function "playlog_counts_as_play"("source" text, "ms_played" integer) returns boolean
  language sql immutable parallel safe as $$
    select "source" = 'poll' or "ms_played" >= 30000
  $$;`);
    this.addSql(`drop index if exists "tracks_lower_name_index";`);
    this.addSql(`alter table "export_track_names" drop column "recording_mbid";`);
    this.addSql(`drop table if exists "api_tokens" cascade;`);
    this.addSql(`delete from "listening_events" where "source" = 'listenbrainz';`);
    this.addSql(`alter table "listening_events" drop column "client", drop column "started_at";`);
    this.addSql(`alter table "listening_events" drop constraint "listening_events_source_check";`);
    this.addSql(`alter table "listening_events" add constraint "listening_events_source_check" check ("source" in ('poll', 'import'));`);
  }
}
