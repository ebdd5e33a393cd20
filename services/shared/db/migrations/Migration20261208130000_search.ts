import { Migration } from '@mikro-orm/migrations';

/**
 * Search by name (docs/search.md): the extensions pg_trgm (trigrams: a typo still matches) and unaccent (accents
 * ignored), both trusted extensions a database's owner may create; `playlog_search_key`, a name as search compares
 * it; and trigram indexes on that key of every name search reads: tracks, albums, artists, and the names a
 * listener's streaming history gave tracks Spotify no longer knows.
 *
 * The function below is this migration's own copy, frozen: the current one is the source file of
 * features/search/data/schema/.
 */
const SEARCH_KEY = `
create or replace function "playlog_search_key"("name" text) returns text
  language sql immutable parallel safe strict as $$
    select lower(public.unaccent('public.unaccent'::regdictionary, "name"))
  $$;`;

const INDEXES: ReadonlyArray<[table: string, column: string, name: string]> = [
  ['tracks', 'name', 'tracks_search_key_index'],
  ['albums', 'name', 'albums_search_key_index'],
  ['artists', 'name', 'artists_search_key_index'],
  ['export_track_names', 'track_name', 'export_track_names_track_name_search_key_index'],
  ['export_track_names', 'artist_name', 'export_track_names_artist_name_search_key_index'],
  ['export_track_names', 'album_name', 'export_track_names_album_name_search_key_index'],
];

export class Migration20261208130000_search extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create extension if not exists "pg_trgm" with schema public;`);
    this.addSql(`create extension if not exists "unaccent" with schema public;`);
    this.addSql(SEARCH_KEY);
    for (const [table, column, name] of INDEXES) this.addSql(`create index "${name}" on "${table}" using gin (playlog_search_key("${column}") gin_trgm_ops);`);
  }

  override async down(): Promise<void> {
    for (const [, , name] of INDEXES) this.addSql(`drop index "${name}";`);
    this.addSql(`drop function "playlog_search_key"(text);`);
    // The extensions stay: another schema object may have come to use them.
  }
}
