import { Migration } from '@mikro-orm/migrations';

/**
 * Imports of Spotify's extended streaming history (docs/import.md): the `imports` table, and one play
 * per (user, track, UTC second), so a play seen by polling (ms) and in an export (whole seconds) is stored once.
 */
export class Migration20261123140000_imports extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "imports" ("id" uuid not null default gen_random_uuid(), "user_id" uuid not null, "status" text check ("status" in ('queued', 'running', 'completed', 'failed', 'cancelled')) not null default 'queued', "file_name" text not null, "file_path" text not null, "file_bytes" bigint not null, "resume_entry" int not null default 0, "resume_row" int not null default 0, "rows_read" int not null default 0, "stored" int not null default 0, "duplicates" int not null default 0, "short_plays" int not null default 0, "unknown_tracks" int not null default 0, "skipped_podcast" int not null default 0, "skipped_local" int not null default 0, "skipped_malformed" int not null default 0, "tracks_fetched" int not null default 0, "problems" jsonb not null default '[]', "error" text null, "created_at" timestamptz not null default now(), "started_at" timestamptz null, "finished_at" timestamptz null, "updated_at" timestamptz not null default now(), constraint "imports_pkey" primary key ("id"));`);
    this.addSql(`create index "imports_user_id_created_at_index" on "imports" ("user_id", "created_at");`);
    this.addSql(`alter table "imports" add constraint "imports_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`create unique index "listening_events_same_second_unique" on "listening_events" ("user_id", "track_id", date_trunc('second', "played_at" at time zone 'UTC'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "listening_events_same_second_unique";`);
    this.addSql(`drop table if exists "imports" cascade;`);
  }
}
