import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { PlaySource } from './listening-event.entity.js';
import { ListeningEvent } from './listening-event.entity.js';
import { bigintNumber, defineStatement, runStatement } from '../../../shared/db/statements/statement.js';

/** A batch of plays of one or more users and their catalogue rows, normalised and de-duplicated (ingest-plays.ts builds it). */
export interface PlayBatch {
  artists: Array<{ id: string; name: string; uri: string }>;
  albums: Array<{ id: string; name: string; uri: string; release_date: string | null; image_url: string | null }>;
  tracks: Array<{ id: string; name: string; uri: string; duration_ms: number; album_id: string | null }>;
  track_artists: Array<{ track_id: string; position: number; artist_id: string }>;
  /** Each user's plays (a user once). */
  users: Array<{ user_id: string; plays: PlayRow[] }>;
}

/** A play as the batch carries it. */
export interface PlayRow {
  played_at: string;
  track_id: string;
  context_type: string | null;
  context_uri: string | null;
  ms_played: number | null;
  client: string | null;
  started_at: string | null;
  /** The track's duration as the batch knows it (0 when it does not): the duplicate rule's span of a polled play. */
  duration_ms: number;
}

export const storePlayBatchStatement = defineStatement({
  name: 'plays_store_batch',
  purpose: [
    'Stores a batch of plays of one or more users exactly once, in ONE statement (one round trip), the ingest benchmark’s subject:',
    'data-modifying CTEs upsert artists, albums, tracks and track artists, insert the plays with ON CONFLICT DO NOTHING and',
    'advance the poll cursor (on a poll’s last page also recording its success). One statement is atomic and its foreign keys',
    'are checked at its end, when the catalogue rows exist. Rows are sorted by key in every CTE, so concurrent batches lock in',
    'the same order (no deadlock); the catalogue is insert-only, so replays write nothing and take no row locks. The batch',
    'travels as one bound JSON parameter: inlined, megabytes of JSON would be escaped in JavaScript and parsed again by Postgres.',
    'Which plays were reported before, or are the same play as one stored from another source, is decided for the whole batch',
    'by data/schema/playlog_duplicate_plays.sql, called once per user (in its own CTE, before any play is inserted), the users',
    'in id order, so batches of several users take its per-user locks in one order: those are left out. The batch carries',
    'each user’s plays as one array (handed to the rule as it is); the count of new plays comes back per user.',
  ].join(' '),
  sql: `with doc as (select ?::jsonb as d),
new_artists as (
  insert into artists (id, name, uri)
  select a.id, a.name, a.uri from doc, jsonb_to_recordset(doc.d->'artists') as a(id text, name text, uri text)
  order by a.id
  on conflict (id) do nothing
  returning 1
),
new_albums as (
  insert into albums (id, name, uri, release_date, image_url)
  select a.id, a.name, a.uri, a.release_date, a.image_url
  from doc, jsonb_to_recordset(doc.d->'albums') as a(id text, name text, uri text, release_date text, image_url text)
  order by a.id
  on conflict (id) do nothing
  returning 1
),
new_tracks as (
  insert into tracks (id, name, uri, duration_ms, album_id)
  select t.id, t.name, t.uri, t.duration_ms, t.album_id
  from doc, jsonb_to_recordset(doc.d->'tracks') as t(id text, name text, uri text, duration_ms int, album_id text)
  order by t.id
  on conflict (id) do nothing
  returning 1
),
new_track_artists as (
  insert into track_artists (track_id, position, artist_id)
  select ta.track_id, ta.position, ta.artist_id
  from doc, jsonb_to_recordset(doc.d->'track_artists') as ta(track_id text, position smallint, artist_id text)
  order by ta.track_id, ta.position
  on conflict (track_id, position) do nothing
  returning 1
),
users as (
  select u.user_id, u.plays from doc, jsonb_to_recordset(doc.d->'users') as u(user_id uuid, plays jsonb) order by u.user_id
),
duplicate_plays as (
  select u.user_id, d.played_at, d.track_id from users u cross join lateral playlog_duplicate_plays(u.user_id, ?, u.plays) as d
),
new_plays as (
  insert into listening_events (user_id, played_at, track_id, context_type, context_uri, source, ms_played, client, started_at)
  select u.user_id, p.played_at, p.track_id, p.context_type, p.context_uri, ?, p.ms_played, p.client, p.started_at
  from users u, jsonb_to_recordset(u.plays) as p(played_at timestamptz, track_id text, context_type text, context_uri text, ms_played int, client text, started_at timestamptz)
  where not exists (select 1 from duplicate_plays d where d.user_id = u.user_id and d.played_at = p.played_at and d.track_id = p.track_id)
  order by u.user_id, p.played_at, p.track_id
  on conflict do nothing
  returning user_id
),
new_cursor as (
  insert into poll_state (user_id, after_cursor_ms, last_polled_at, last_success_at)
  select ?::uuid, c.ms, c.succeeded_at, c.succeeded_at
  from (select ?::bigint as ms, ?::timestamptz as succeeded_at) c
  where c.ms is not null or c.succeeded_at is not null
  on conflict (user_id) do update set
    after_cursor_ms = greatest(poll_state.after_cursor_ms, excluded.after_cursor_ms),
    last_polled_at = coalesce(excluded.last_polled_at, poll_state.last_polled_at),
    last_success_at = coalesce(excluded.last_success_at, poll_state.last_success_at),
    consecutive_failures = case when excluded.last_success_at is null then poll_state.consecutive_failures else 0 end
  -- A replay that neither moves the cursor nor ends a poll writes no new row version.
  where excluded.last_success_at is not null or poll_state.after_cursor_ms is null or poll_state.after_cursor_ms < excluded.after_cursor_ms
  returning 1
)
select (select coalesce(jsonb_object_agg(n.user_id, n.plays), '{}') from (select user_id, count(*) as plays from new_plays group by 1) n) as inserted,
       (select count(*) from new_artists) + (select count(*) from new_albums) + (select count(*) from new_tracks)
         + (select count(*) from new_track_artists) + (select count(*) from new_cursor) as catalogue_writes`,
  row: z.object({ inserted: z.record(z.string(), z.number().int()), catalogue_writes: bigintNumber }),
});

export interface StoreBatchRequest {
  /** The plays of one or more users, each play naming its user. */
  batch: PlayBatch;
  source: PlaySource;
  /** A poll's batch: its user's cursor, moved forward (never back) to this Unix ms, and when the poll it ends succeeded. */
  cursor: { userId: string; advanceToMs: number | null; pollSucceededAt: Date | null } | null;
}

/** Stores the batch; returns how many plays were new, per user (a user with none new is absent). */
export async function storePlayBatch(em: EntityManager, request: StoreBatchRequest): Promise<Map<string, number>> {
  const [row] = await runStatement(em, storePlayBatchStatement, [
    JSON.stringify(request.batch),
    request.source,
    request.source,
    request.cursor?.userId ?? null,
    request.cursor?.advanceToMs ?? null,
    request.cursor?.pollSucceededAt?.toISOString() ?? null,
  ]);
  return new Map(Object.entries(row?.inserted ?? {}));
}

/** Every stored play of a user as `<played_at ms>|<track id>` (the chaos run compares them with Spotify's truth). */
export async function listPlayKeys(em: EntityManager, userId: string): Promise<string[]> {
  const plays = await em.find(ListeningEvent, { user: userId }, { fields: ['playedAt', 'track'], disableIdentityMap: true });
  return plays.map((play) => `${play.playedAt.getTime()}|${play.track.id}`);
}
