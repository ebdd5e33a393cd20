-- The time a reported play certainly or possibly took, as far as its source tells (docs/import.md, "How
-- duplicates are decided"): two reports of one track whose spans overlap may be the same play.
--   import        [ts − ms_played + 1 s, ts): Spotify's streaming history gives the end, cut to the second,
--                 and how long it played: this lies within the play whatever the cut second was;
--   listenbrainz  [listened_at + 1 s, end): the listen's start, cut to the second, and its end where a
--                 duration is known (at least 30 s after the start);
--   poll          [played_at − duration, played_at + duration): Spotify's played_at is usually the end, on
--                 some clients and days the start, so the play lies on one side of it or the other.
-- The tolerance is thus the track's duration: a pause, a played_at that is the start, a timestamp cut to
-- the second move one report against another by less. No span is longer than twice the track's duration
-- (30 s for a track of unknown duration), so the spans that can overlap one are found near it
-- (playlog_duplicate_plays.sql's index scan).
create or replace function "playlog_play_span"("source" text, "played_at" timestamptz, "started_at" timestamptz, "ms_played" integer, "duration_ms" integer)
  returns tstzrange language sql stable parallel safe as $$
    select case "source"
      when 'import' then tstzrange(least("played_at" - interval '1 millisecond' * (least(coalesce("ms_played", 0), 2 * greatest(coalesce("duration_ms", 0), 30000)) - 1000), "played_at"),
                                   "played_at")
      when 'listenbrainz' then tstzrange(coalesce("started_at", "played_at") + interval '1 second',
                                        coalesce("started_at", "played_at")
                                          + interval '1 millisecond' * least(greatest(extract(epoch from "played_at" - coalesce("started_at", "played_at")) * 1000, 30000),
                                                                            2 * greatest(coalesce("duration_ms", 0), 30000)))
      else tstzrange("played_at" - interval '1 millisecond' * greatest(coalesce("duration_ms", 0), 30000),
                     "played_at" + interval '1 millisecond' * greatest(coalesce("duration_ms", 0), 30000))
    end
  $$;
