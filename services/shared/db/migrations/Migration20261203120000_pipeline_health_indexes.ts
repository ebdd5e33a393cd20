import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes for the worker's pipeline gauges (docs/operations.md): the oldest last successful poll is
 * the first entry of poll_state by last_success_at (never-succeeded users are its null entries), and
 * the users whose re-authorisation deadline is near are the oldest entries of spotify_credentials by
 * authorized_at. Each gauge is then an index range over the users it counts, not a pass over all users.
 */
export class Migration20261203120000_pipeline_health_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "poll_state_last_success_at_index" on "poll_state" ("last_success_at");`);
    this.addSql(`create index "spotify_credentials_authorized_at_index" on "spotify_credentials" ("authorized_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "spotify_credentials_authorized_at_index";`);
    this.addSql(`drop index "poll_state_last_success_at_index";`);
  }
}
