-- Who reported a play, for the duplicate rule (playlog_duplicate_plays.sql): each source, and each
-- ListenBrainz client apart (two players scrobbling one play report it twice; one player sending a listen
-- again reports it once). A play is recognised as reported again only by the same reporter.
create or replace function "playlog_play_reporter"("source" text, "client" text) returns text
  language sql immutable parallel safe as $$
    select case when "source" = 'listenbrainz' then 'listenbrainz/' || coalesce("client", '') else "source" end
  $$;
