import { Migration } from '@mikro-orm/migrations';

/**
 * Personal exports take turns (docs/export.md, "Taking turns"): an export being written keeps a checkpoint
 * — the last play written (`resume_played_at` with Postgres' microseconds, `resume_track_id`) and the file
 * holding everything up to it (`partial_path`, its first `bytes` bytes; `rows` and `skipped` count it) — so
 * that after its turn it continues from there, behind the exports that were waiting.
 */
export class Migration20261207130000_export_turns extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "exports" add column "resume_played_at" text null, add column "resume_track_id" text null, add column "partial_path" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "exports" drop column "resume_played_at", drop column "resume_track_id", drop column "partial_path";`);
  }
}
