import { Migration } from '@mikro-orm/migrations';

/**
 * The ids of the artist and album a user's export names (export-names.repository.ts, exportArtistAndAlbum:
 * `export-` and 22 characters of the SHA-256 of the kind and the names, base64url), kept beside the names
 * as generated columns with an index each. A ranking page, a `nodes` lookup or a history filter then finds
 * the names of the few ids it shows by index, instead of reading and hashing every name the user's exports
 * gave (docs/stats.md). Both functions are the one definition of those ids in SQL; they are immutable, as
 * a generated column requires (convert_to is only stable, but to UTF-8 in a UTF-8 database it is a copy).
 */
const ARTIST_ID = `
  create function "playlog_export_artist_id"("artist_name" text) returns text
  language sql immutable strict parallel safe as $$
    select 'export-' || left(translate(encode(sha256(convert_to('artist', 'UTF8') || '\\x00'::bytea || convert_to("artist_name", 'UTF8')), 'base64'), '+/', '-_'), 22)
  $$;`;

const ALBUM_ID = `
  create function "playlog_export_album_id"("artist_name" text, "album_name" text) returns text
  language sql immutable parallel safe as $$
    select case when "album_name" is null then null else 'export-' || left(translate(encode(sha256(
      convert_to('album', 'UTF8') || '\\x00'::bytea || convert_to(coalesce("artist_name", ''), 'UTF8') || '\\x00'::bytea || convert_to("album_name", 'UTF8')
    ), 'base64'), '+/', '-_'), 22) end
  $$;`;

export class Migration20261207120000_export_name_ids extends Migration {
  override async up(): Promise<void> {
    this.addSql(ARTIST_ID);
    this.addSql(ALBUM_ID);
    this.addSql(`alter table "export_track_names" add column "export_artist_id" text generated always as (playlog_export_artist_id(artist_name)) stored;`);
    this.addSql(`alter table "export_track_names" add column "export_album_id" text generated always as (playlog_export_album_id(artist_name, album_name)) stored;`);
    this.addSql(`create index "export_track_names_user_id_export_artist_id_index" on "export_track_names" ("user_id", "export_artist_id");`);
    this.addSql(`create index "export_track_names_user_id_export_album_id_index" on "export_track_names" ("user_id", "export_album_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "export_track_names_user_id_export_album_id_index";`);
    this.addSql(`drop index "export_track_names_user_id_export_artist_id_index";`);
    this.addSql(`alter table "export_track_names" drop column "export_album_id";`);
    this.addSql(`alter table "export_track_names" drop column "export_artist_id";`);
    this.addSql(`drop function "playlog_export_album_id"(text, text);`);
    this.addSql(`drop function "playlog_export_artist_id"(text);`);
  }
}
