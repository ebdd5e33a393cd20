-- The id of an album a listener's own streaming history names, from its artist's and its own name (as
-- playlog_export_artist_id.sql; null without an album name), for the generated column
-- export_track_names.export_album_id.
create or replace function "playlog_export_album_id"("artist_name" text, "album_name" text) returns text
  language sql immutable parallel safe as $$
    select case when "album_name" is null then null else 'export-' || left(translate(encode(sha256(
      convert_to('album', 'UTF8') || '\x00'::bytea || convert_to(coalesce("artist_name", ''), 'UTF8') || '\x00'::bytea || convert_to("album_name", 'UTF8')
    ), 'base64'), '+/', '-_'), 22) end
  $$;
