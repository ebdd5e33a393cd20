import { Migration } from '@mikro-orm/migrations';

// Every counter of an import grows with its input: 64-bit, so no export can overflow one.
const COUNTERS = ['resume_entry', 'resume_row', 'rows_read', 'stored', 'duplicates', 'short_plays', 'unknown_tracks', 'skipped_podcast', 'skipped_local', 'skipped_malformed', 'tracks_fetched'];

/**
 * Imports' limits (docs/import.md, "Limits"): an upload holds its place among the user's pending imports
 * from before its body is read (status `receiving`), an import whose file is deleted says so (no
 * `file_path`), and every counter is a bigint.
 */
export class Migration20261201120000_import_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "imports" drop constraint if exists "imports_status_check";`);
    this.addSql(`alter table "imports" add constraint "imports_status_check" check ("status" in ('receiving', 'queued', 'running', 'completed', 'failed', 'cancelled'));`);
    this.addSql(`alter table "imports" ${COUNTERS.map((column) => `alter column "${column}" type bigint using ("${column}"::bigint)`).join(', ')};`);
    // Null once the upload is deleted: only imports that still hold a file count towards the user's disk quota.
    this.addSql(`alter table "imports" alter column "file_path" drop not null;`);
    this.addSql(`update "imports" set "file_path" = null where "status" in ('completed', 'cancelled');`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "imports" where "status" = 'receiving';`);
    this.addSql(`update "imports" set "file_path" = '' where "file_path" is null;`);
    this.addSql(`alter table "imports" alter column "file_path" set not null;`);
    this.addSql(`alter table "imports" ${COUNTERS.map((column) => `alter column "${column}" type int using ("${column}"::int)`).join(', ')};`);
    this.addSql(`alter table "imports" drop constraint if exists "imports_status_check";`);
    this.addSql(`alter table "imports" add constraint "imports_status_check" check ("status" in ('queued', 'running', 'completed', 'failed', 'cancelled'));`);
  }
}
