-- The duplicate rule (docs/import.md, "How duplicates are decided"): of a batch of plays one reporter
-- (playlog_play_reporter.sql) sends for one user, the ones not to store. ingestPlays' statement calls it once
-- per batch, before it inserts, and stores the others (ON CONFLICT DO NOTHING drops a play stored at the
-- same instant). In turn:
-- 1. one user's batches are decided one at a time: a transaction storing plays of the user waits here for
--    another that does, then sees what it stored (two sources storing one play at once store it once);
-- 2. the same report again (the same reporter, track and reported instant: a poll's played_at, a streaming
--    history's ts, a listen's listened_at), stored or joined to a stored play before, is not stored;
-- 3. a play Spotify does not count (an imported skip) is its own play: no other source reports it;
-- 4. otherwise the play joins a stored play of the same track whose span (playlog_play_span.sql), or the
--    span of a report that joined it, overlaps its own, and that no report of this reporter has joined yet.
--    A stored play stands for one real play, which each reporter reports once: two plays of one reporter
--    (a track repeated back to back) never merge, even where their spans overlap. Plays of a track are
--    taken in played_at order, each joining the earliest such stored play: the greedy choice that pairs
--    the most reports when each may join a run of neighbouring plays (a played_at that is the start of one
--    play is the end of the one before), so the count of plays stays exact wherever one source reported
--    every play the other did. A play that joins is recorded in play_duplicates and not stored.
-- A track's duration is the batch's (Spotify's, for a polled play), else the catalogue's, and at least what
-- the play itself lasted (a streaming history's ms_played, a listen's duration): a track first stored from a
-- listen has none in the catalogue. The common case costs one index probe per play: reports joined before
-- are looked for only when the user has any, and a listen's start only for listens.
create or replace function "playlog_duplicate_plays"("for_user" uuid, "from_source" text, "plays" jsonb)
  returns table ("played_at" timestamptz, "track_id" text)
  -- Planned once per session: a plan made for each batch's values would cost more than running it.
  language plpgsql set plan_cache_mode = force_generic_plan as $$
  #variable_conflict use_column
  declare
    pair record;
    current_play bigint := 0;
    settled boolean := true;
    last_track text;
    claimed timestamptz[] := '{}';
    joined_tracks text[] := '{}';
    joined_reporters text[] := '{}';
    joined_reported timestamptz[] := '{}';
    joined_plays timestamptz[] := '{}';
    joined_spans tstzrange[] := '{}';
  begin
    perform pg_advisory_xact_lock(hashtextextended('playlog_plays_of_user:' || "for_user"::text, 0));

    -- Reports sent again that joined a stored play before; listens sent again with another duration.
    if "from_source" = 'listenbrainz' or exists (select 1 from "play_duplicates" d where d."user_id" = "for_user") then
      return query
        select p."played_at", p."track_id"
          from jsonb_to_recordset("plays") as p("played_at" timestamptz, "track_id" text, "client" text, "started_at" timestamptz)
          cross join lateral (select "playlog_play_reporter"("from_source", p."client") as "reporter",
                                     case when "from_source" = 'listenbrainz' then coalesce(p."started_at", p."played_at") else p."played_at" end as "reported") o
         where exists (select 1 from "play_duplicates" d
                        where d."user_id" = "for_user" and d."track_id" = p."track_id" and d."reported_by" = o."reporter" and d."reported_at" = o."reported")
            or ("from_source" = 'listenbrainz'
                and exists (select 1 from "listening_events" e
                             where e."track_id" = p."track_id" and e."user_id" = "for_user"
                               and e."played_at" >= o."reported" and e."played_at" < o."reported" + interval '1 day' and e."played_at" <> p."played_at"
                               and e."source" = 'listenbrainz' and e."started_at" = o."reported" and "playlog_play_reporter"(e."source", e."client") = o."reporter"));
    end if;

    -- The plays with a stored play of another reporter to join: usually none.
    for pair in
      select p."n", p."played_at", p."track_id", o."reporter", o."reported", o."span", c."candidate"
        from rows from (jsonb_to_recordset("plays") as ("played_at" timestamptz, "track_id" text, "ms_played" integer, "client" text, "started_at" timestamptz, "duration_ms" integer))
               with ordinality as p("played_at", "track_id", "ms_played", "client", "started_at", "duration_ms", "n")
        cross join lateral (select "playlog_play_reporter"("from_source", p."client") as "reporter",
                                   case when "from_source" = 'listenbrainz' then coalesce(p."started_at", p."played_at") else p."played_at" end as "reported",
                                   case "from_source"
                                     when 'import' then p."played_at" - interval '1 millisecond' * coalesce(p."ms_played", 0)
                                     when 'listenbrainz' then coalesce(p."started_at", p."played_at")
                                     else p."played_at" end as "began",
                                   greatest(coalesce(nullif(p."duration_ms", 0), (select t."duration_ms" from "tracks" t where t."id" = p."track_id")),
                                            coalesce(p."ms_played", 0)) as "duration") d
        cross join lateral (select d.*, "playlog_play_span"("from_source", p."played_at", p."started_at", p."ms_played", d."duration") as "span") o
        join lateral (
          select e."played_at" as "candidate"
            from "listening_events" e
           where "playlog_counts_as_play"("from_source", p."ms_played")
             -- No span is longer than twice the track's duration and a stored play's played_at lies in its span, or
             -- (a listen) its duration after its start: the plays whose spans can overlap this one's lie this near.
             and e."track_id" = p."track_id" and e."user_id" = "for_user"
             and e."played_at" > o."began" - interval '1 hour' - interval '4 milliseconds' * greatest(coalesce(o."duration", 0), 30000)
             and e."played_at" < p."played_at" + interval '1 hour' + interval '4 milliseconds' * greatest(coalesce(o."duration", 0), 30000)
             and "playlog_play_reporter"(e."source", e."client") <> o."reporter"
             and "playlog_counts_as_play"(e."source", e."ms_played")
             -- the stored play's span, or the span of a report that joined it
             and ("playlog_play_span"(e."source", e."played_at", e."started_at", e."ms_played", o."duration") && o."span"
                  or exists (select 1 from "play_duplicates" j
                              where j."user_id" = "for_user" and j."track_id" = e."track_id" and j."played_at" = e."played_at" and j."span" && o."span"))
             and not exists (select 1 from "play_duplicates" d
                              where d."user_id" = "for_user" and d."track_id" = e."track_id" and d."played_at" = e."played_at" and d."reported_by" = o."reporter")
        ) c on true
       order by p."track_id", p."played_at", p."n", c."candidate"
    loop
      if pair."n" <> current_play then
        if pair."track_id" is distinct from last_track then
          claimed := '{}';
          last_track := pair."track_id";
        end if;
        current_play := pair."n";
        -- Stored already at this very instant (a report sent again, which ON CONFLICT drops), or seen above.
        settled := exists (select 1 from "listening_events" e where e."user_id" = "for_user" and e."played_at" = pair."played_at" and e."track_id" = pair."track_id")
          or exists (select 1 from "play_duplicates" d
                      where d."user_id" = "for_user" and d."track_id" = pair."track_id" and d."reported_by" = pair."reporter" and d."reported_at" = pair."reported")
          or ("from_source" = 'listenbrainz'
              and exists (select 1 from "listening_events" e
                           where e."track_id" = pair."track_id" and e."user_id" = "for_user"
                             and e."played_at" >= pair."reported" and e."played_at" < pair."reported" + interval '1 day'
                             and e."source" = 'listenbrainz' and e."started_at" = pair."reported" and "playlog_play_reporter"(e."source", e."client") = pair."reporter"));
      end if;
      if not settled and not pair."candidate" = any(claimed) then
        claimed := claimed || pair."candidate";
        joined_tracks := joined_tracks || pair."track_id";
        joined_reporters := joined_reporters || pair."reporter";
        joined_reported := joined_reported || pair."reported";
        joined_plays := joined_plays || pair."candidate";
        joined_spans := joined_spans || pair."span";
        settled := true;
        "played_at" := pair."played_at";
        "track_id" := pair."track_id";
        return next;
      end if;
    end loop;
    if cardinality(joined_plays) > 0 then
      insert into "play_duplicates" ("user_id", "track_id", "reported_by", "reported_at", "played_at", "span")
      select "for_user", j."track_id", j."reported_by", j."reported_at", j."played_at", j."span"
        from unnest(joined_tracks, joined_reporters, joined_reported, joined_plays, joined_spans) as j("track_id", "reported_by", "reported_at", "played_at", "span")
       order by 2, 3, 4
      on conflict do nothing;
    end if;
  end $$;
