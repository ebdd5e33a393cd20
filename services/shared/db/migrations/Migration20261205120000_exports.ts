import { Migration } from '@mikro-orm/migrations';

/** Personal exports (docs/export.md): one row per export a user asked for, its file and when it expires. */
export class Migration20261205120000_exports extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "exports" ("id" uuid not null default gen_random_uuid(), "user_id" uuid not null, "format" text check ("format" in ('listenbrainz_jsonl', 'csv', 'json')) not null, "status" text check ("status" in ('queued', 'running', 'completed', 'failed')) not null default 'queued', "rows" bigint not null default 0, "skipped" bigint not null default 0, "bytes" bigint not null default 0, "file_path" text null, "error" text null, "created_at" timestamptz not null default now(), "finished_at" timestamptz null, "updated_at" timestamptz not null default now(), "expires_at" timestamptz not null, constraint "exports_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "exports_user_id_created_at_index" on "exports" ("user_id", "created_at");`);
    this.addSql(`create index "exports_expires_at_index" on "exports" ("expires_at");`);
    this.addSql(`alter table "exports" add constraint "exports_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "exports" cascade;`);
  }
}
