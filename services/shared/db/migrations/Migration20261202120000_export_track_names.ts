import { Migration } from '@mikro-orm/migrations';

// A track made from an export's names before this migration: Spotify gave no duration, and its album, if
// any, was one of the `export-` rows named after the export.
const FROM_EXPORT = `t."duration_ms" = 0 and (t."album_id" is null or t."album_id" like 'export-%')`;

/**
 * Names from a user's export move out of the shared catalogue (docs/import.md, "Tracks Spotify no longer
 * knows"). A track Spotify answered 404 for kept the first importer's names, which every other user with
 * plays of it saw: those names go to that importer alone (the user whose play of the track was stored
 * first, in the same transaction that made the row), and the catalogue keeps only the track's id.
 */
export class Migration20261202120000_export_track_names extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "export_track_names" ("user_id" uuid not null, "track_id" text not null, "track_name" text null, "artist_name" text null, "album_name" text null, constraint "export_track_names_pkey" primary key ("user_id", "track_id"));`,
    );
    this.addSql(`create index "export_track_names_track_id_index" on "export_track_names" ("track_id");`);
    this.addSql(
      `alter table "export_track_names" add constraint "export_track_names_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "export_track_names" add constraint "export_track_names_track_id_foreign" foreign key ("track_id") references "tracks" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(`
      insert into "export_track_names" ("user_id", "track_id", "track_name", "artist_name", "album_name")
      select distinct on (t."id") e."user_id", t."id", nullif(t."name", 'Unknown track'),
             (select ar."name" from "track_artists" ta join "artists" ar on ar."id" = ta."artist_id"
               where ta."track_id" = t."id" and ar."id" like 'export-%' order by ta."position" limit 1),
             case when al."id" like 'export-%' then al."name" end
        from "tracks" t
        join "listening_events" e on e."track_id" = t."id"
        left join "albums" al on al."id" = t."album_id"
       where ${FROM_EXPORT}
       order by t."id", e."ingested_at", e."played_at", e."user_id";`);
    this.addSql(`update "tracks" t set "name" = '', "album_id" = null where ${FROM_EXPORT};`);
    this.addSql(`delete from "track_artists" where "artist_id" like 'export-%';`);
    this.addSql(`delete from "artists" where "id" like 'export-%';`);
    this.addSql(`delete from "albums" where "id" like 'export-%';`);
  }

  override async down(): Promise<void> {
    // The names come back to the catalogue as track names only (one importer's each); artists and albums
    // named after exports are not remade.
    this.addSql(`
      update "tracks" t set "name" = coalesce(n."track_name", 'Unknown track')
        from (select distinct on ("track_id") "track_id", "track_name" from "export_track_names" order by "track_id", "user_id") n
       where n."track_id" = t."id" and t."name" = '';`);
    this.addSql(`drop table if exists "export_track_names" cascade;`);
  }
}
