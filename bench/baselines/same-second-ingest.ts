import type { EntityManager } from '@mikro-orm/postgresql';
import { buildBatch } from '../../services/features/plays/ingest-plays.js';
import type { PlayInput } from '../../services/features/plays/play-input.js';
import { storePlayBatchStatement } from '../../services/features/plays/data/plays.repository.js';
import { z } from 'zod';
import { bigintNumber, defineStatement, runStatement } from '../../services/shared/db/statements/statement.js';

/**
 * The ingest benchmark's baseline for the duplicate rule (docs/benchmarks.md): the ingest statement as it was
 * before it (one play per user, track and UTC second, a unique index that ON CONFLICT DO NOTHING obeyed), a
 * frozen copy, storing into a scratch copy of listening_events that has that index. The same batch is built
 * by the same code as ingestPlays', and sent the same way (one prepared statement).
 */
const sameSecondStatement = (table: string) =>
  defineStatement({
    ...storePlayBatchStatement,
    name: 'bench_same_second_store_batch',
    row: z.object({ inserted: bigintNumber, catalogue_writes: bigintNumber }),
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
new_plays as (
  insert into ${table} (user_id, played_at, track_id, context_type, context_uri, source, ms_played, client, started_at)
  select ?::uuid, p.played_at, p.track_id, p.context_type, p.context_uri, ?, p.ms_played, p.client, p.started_at
  from doc, jsonb_to_recordset(doc.d->'users'->0->'plays') as p(played_at timestamptz, track_id text, context_type text, context_uri text, ms_played int, client text, started_at timestamptz)
  order by p.played_at, p.track_id
  on conflict do nothing
  returning 1
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
select (select count(*) from new_plays) as inserted,
       (select count(*) from new_artists) + (select count(*) from new_albums) + (select count(*) from new_tracks)
         + (select count(*) from new_track_artists) + (select count(*) from new_cursor) as catalogue_writes`,
  });

export async function sameSecondIngest(em: EntityManager, table: string, userId: string, plays: PlayInput[]): Promise<number> {
  const [row] = await runStatement(em, sameSecondStatement(table), [JSON.stringify(buildBatch([{ userId, plays }], 'poll')), userId, 'poll', userId, null, null]);
  return row?.inserted ?? 0;
}
