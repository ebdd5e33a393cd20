import { Migration } from '@mikro-orm/migrations';

/** Each user's own time zone (an IANA name), which statistics use by default: UTC until they choose one. */
export class Migration20261202160000_user_time_zone extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "users" add column "time_zone" text not null default 'UTC';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "users" drop column "time_zone";`);
  }
}
