-- The id of an artist a listener's own streaming history names (a track Spotify no longer knows): `export-`
-- and the start of the SHA-256 of the kind and the name, base64url; streamingHistoryArtistAndAlbum
-- (streaming-history-names.repository.ts) makes the same in TypeScript. Immutable, as the generated
-- column export_track_names.export_artist_id requires (convert_to is only stable, but to UTF-8 in a UTF-8
-- database it is a copy).
create or replace function "playlog_export_artist_id"("artist_name" text) returns text
  language sql immutable strict parallel safe as $$
    select 'export-' || left(translate(encode(sha256(convert_to('artist', 'UTF8') || '\x00'::bytea || convert_to("artist_name", 'UTF8')), 'base64'), '+/', '-_'), 22)
  $$;
