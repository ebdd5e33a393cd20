import { Migration } from '@mikro-orm/migrations';

export class Migration20261123120000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "albums" ("id" text not null, "name" text not null, "uri" text not null, "release_date" text null, "image_url" text null, constraint "albums_pkey" primary key ("id"));`);
    this.addSql(`create table "artists" ("id" text not null, "name" text not null, "uri" text not null, constraint "artists_pkey" primary key ("id"));`);
    this.addSql(`create table "tracks" ("id" text not null, "name" text not null, "uri" text not null, "duration_ms" int not null, "album_id" text null, constraint "tracks_pkey" primary key ("id"));`);
    this.addSql(`create index "tracks_album_id_index" on "tracks" ("album_id");`);
    this.addSql(`create table "track_artists" ("track_id" text not null, "position" smallint not null, "artist_id" text not null, constraint "track_artists_pkey" primary key ("track_id", "position"));`);
    this.addSql(`create index "track_artists_artist_id_index" on "track_artists" ("artist_id");`);

    this.addSql(`create table "users" ("id" uuid not null, "spotify_user_id" text not null, "display_name" text null, "status" text check ("status" in ('active', 'reauth_required', 'disabled')) not null default 'active', "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint "users_pkey" primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_spotify_user_id_unique" unique ("spotify_user_id");`);
    this.addSql(`create index "users_status_id_index" on "users" ("status", "id");`);

    this.addSql(`create table "spotify_credentials" ("user_id" uuid not null, "access_token_encrypted" text not null, "refresh_token_encrypted" text not null, "access_token_expires_at" timestamptz not null, "scopes" text[] not null default '{}', "key_id" text not null, "authorized_at" timestamptz not null, "updated_at" timestamptz not null default now(), constraint "spotify_credentials_pkey" primary key ("user_id"));`);
    this.addSql(`create table "sessions" ("id" uuid not null, "user_id" uuid not null, "token_hash" text not null, "created_at" timestamptz not null default now(), "expires_at" timestamptz not null, "revoked_at" timestamptz null, constraint "sessions_pkey" primary key ("id"));`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create table "poll_state" ("user_id" uuid not null, "after_cursor_ms" bigint null, "last_polled_at" timestamptz null, "last_success_at" timestamptz null, "last_error_at" timestamptz null, "last_error" text null, "consecutive_failures" int not null default 0, constraint "poll_state_pkey" primary key ("user_id"));`);

    // Primary key (user_id, played_at, track_id): one play once, and the index history pages scan.
    this.addSql(`create table "listening_events" ("user_id" uuid not null, "played_at" timestamptz not null, "track_id" text not null, "context_type" text null, "context_uri" text null, "source" text check ("source" in ('poll', 'import')) not null default 'poll', "ms_played" int null, "ingested_at" timestamptz not null default now(), constraint "listening_events_pkey" primary key ("user_id", "played_at", "track_id"));`);
    this.addSql(`create index "listening_events_track_id_index" on "listening_events" ("track_id");`);

    this.addSql(`alter table "tracks" add constraint "tracks_album_id_foreign" foreign key ("album_id") references "albums" ("id") on update cascade on delete set null;`);
    this.addSql(`alter table "track_artists" add constraint "track_artists_track_id_foreign" foreign key ("track_id") references "tracks" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "track_artists" add constraint "track_artists_artist_id_foreign" foreign key ("artist_id") references "artists" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "spotify_credentials" add constraint "spotify_credentials_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "poll_state" add constraint "poll_state_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "listening_events" add constraint "listening_events_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "listening_events" add constraint "listening_events_track_id_foreign" foreign key ("track_id") references "tracks" ("id") on update cascade;`);
  }

  override async down(): Promise<void> {
    for (const table of ['listening_events', 'poll_state', 'sessions', 'spotify_credentials', 'users', 'track_artists', 'tracks', 'artists', 'albums']) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
  }
}
