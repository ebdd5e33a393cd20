import { Migration } from '@mikro-orm/migrations';

/**
 * Duplicates decided by play intervals (docs/import.md, "How duplicates are decided"), replacing one play per
 * user, track and UTC second (`listening_events_same_second_unique`), which stored a second copy of a play
 * whose polled `played_at` was its start, or moved by a pause, once its streaming history was imported, and
 * could never match a ListenBrainz listen (its start) of a Spotify play.
 *
 * - `playlog_duplicate_plays`, which ingestPlays' statement calls once per batch for the plays not to insert:
 *   the same report again; a play whose span overlaps a stored play of the same track, from another
 *   reporter that has not joined that play yet, joins it (recorded in `play_duplicates`, not stored); one
 *   user's batches are decided one at a time (an advisory lock), so two sources storing one play at once
 *   store it once;
 * - `play_duplicates`: the reports that joined a stored play, so that each is recognised when sent again and
 *   a stored play takes one report of each reporter;
 * - the track index gains played_at: the rule looks for a user's plays of one track near an instant.
 *
 * Rows already stored stay as they are. The definitions below are this migration's own copies, frozen: the
 * current ones are the source files of features/plays/data/schema/. `down` restores the same-second index,
 * keeping the earliest stored of plays it would reject.
 */
const PLAY_REPORTER = `
create or replace function "playlog_play_reporter"("source" text, "client" text) returns text
  language sql immutable parallel safe as $$
    select case when "source" = 'listenbrainz' then 'listenbrainz/' || coalesce("client", '') else "source" end
  $$;`;

const PLAY_SPAN = `
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
  $$;`;

const DUPLICATE_PLAYS = `
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
  end $$;`;

export class Migration20261207220000_play_intervals extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "play_duplicates" ("user_id" uuid not null, "track_id" text not null, "reported_by" text not null, "reported_at" timestamptz not null, "played_at" timestamptz not null, "span" tstzrange not null, "created_at" timestamptz not null default now(), constraint "play_duplicates_pkey" primary key ("user_id", "track_id", "reported_by", "reported_at"));`,
    );
    this.addSql(`create unique index "play_duplicates_user_id_track_id_played_at_reported_by_unique" on "play_duplicates" ("user_id", "track_id", "played_at", "reported_by");`);
    this.addSql(`alter table "play_duplicates" add constraint "play_duplicates_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "play_duplicates" add constraint "play_duplicates_track_id_foreign" foreign key ("track_id") references "tracks" ("id") on update cascade;`);
    this.addSql(`drop index "listening_events_same_second_unique";`);
    this.addSql(`create index "listening_events_track_id_user_id_played_at_index" on "listening_events" ("track_id", "user_id", "played_at");`);
    this.addSql(`drop index "listening_events_track_id_user_id_index";`);
    this.addSql(PLAY_REPORTER);
    this.addSql(PLAY_SPAN);
    this.addSql(DUPLICATE_PLAYS);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists "playlog_duplicate_plays"(uuid, text, jsonb);`);
    this.addSql(`drop function if exists "playlog_play_span"(text, timestamptz, timestamptz, integer, integer);`);
    this.addSql(`drop function if exists "playlog_play_reporter"(text, text);`);
    this.addSql(`drop table if exists "play_duplicates" cascade;`);
    this.addSql(`create index "listening_events_track_id_user_id_index" on "listening_events" ("track_id", "user_id");`);
    this.addSql(`drop index "listening_events_track_id_user_id_played_at_index";`);
    this.addSql(
      `delete from "listening_events" e using "listening_events" f where f."user_id" = e."user_id" and f."track_id" = e."track_id" and date_trunc('second', f."played_at" at time zone 'UTC') = date_trunc('second', e."played_at" at time zone 'UTC') and (f."ingested_at", f."played_at") < (e."ingested_at", e."played_at");`,
    );
    this.addSql(`create unique index "listening_events_same_second_unique" on "listening_events" ("user_id", "track_id", date_trunc('second', "played_at" at time zone 'UTC'));`);
  }
}
