-- The counting rule of every statistic (docs/stats.md), defined once: a polled play always counts
-- (Spotify's recently-played list holds only plays it counts), so does a ListenBrainz listen (its player
-- decided when to scrobble), an imported play when it lasted long enough. The rollup triggers, the statistics statements, their recounts and the rebuild all call it;
-- counted-play.ts mirrors it for TypeScript (the import's short plays), tested equal on the boundary.
--
-- Plain SQL, immutable and not strict, so that Postgres inlines it: a statement calling it is planned
-- with the expression itself, and keeps the plans and indexes it had with the rule written out.
create or replace function "playlog_counts_as_play"("source" text, "ms_played" integer) returns boolean
  language sql immutable parallel safe as $$
    select "source" in ('poll', 'listenbrainz') or "ms_played" >= 30000
  $$;
