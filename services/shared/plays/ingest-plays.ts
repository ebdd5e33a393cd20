import type { EntityManager } from '@mikro-orm/postgresql';
import { runPrepared } from '../db/run-prepared.js';
import type { IngestRequest, IngestResult, PlayInput } from './play-input.js';

export class InvalidPlayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPlayError';
  }
}

/**
 * Stores a batch of plays for one user, exactly once, in ONE SQL statement (one round trip).
 *
 * Data-modifying CTEs upsert artists, albums, tracks and track artists, insert the plays with
 * `ON CONFLICT DO NOTHING` and advance the poll cursor (and, on a poll's last page, record its success).
 * A single statement is atomic, so no explicit transaction is needed, and foreign keys are checked at
 * its end, when the catalogue rows exist.
 * Rows are sorted by key in every CTE so that concurrent batches lock in the same order (no deadlock).
 * The catalogue is insert-only (`DO NOTHING`): replays write nothing and take no row locks.
 *
 * The unit of work is bypassed on purpose: persisting entities costs a round trip per row (see bench/).
 */
export async function ingestPlays(em: EntityManager, request: IngestRequest): Promise<IngestResult> {
  const document = buildDocument(request.plays);
  const cursor = request.advanceCursorToMs ?? null;
  if (cursor !== null && !Number.isSafeInteger(cursor)) throw new InvalidPlayError(`cursor ${cursor} is not a whole number of milliseconds`);

  // Bound parameters (MikroORM's execute() would inline the megabytes of JSON into the SQL text, escaped in
  // JavaScript and parsed again by Postgres: 2.7x slower for large batches, bench/), as a prepared statement.
  const succeededAt = request.pollSucceededAt?.toISOString() ?? null;
  const rows = await runPrepared<{ inserted: string | number }>(em, 'playlog_ingest_plays', INGEST_SQL, [
    JSON.stringify(document),
    request.userId,
    request.source,
    request.userId,
    cursor,
    succeededAt,
  ]);
  return { received: request.plays.length, inserted: Number(rows[0]?.inserted ?? 0) };
}

interface IngestDocument {
  artists: Array<{ id: string; name: string; uri: string }>;
  albums: Array<{ id: string; name: string; uri: string; release_date: string | null; image_url: string | null }>;
  tracks: Array<{ id: string; name: string; uri: string; duration_ms: number; album_id: string | null }>;
  track_artists: Array<{ track_id: string; position: number; artist_id: string }>;
  plays: Array<{ played_at: string; track_id: string; context_type: string | null; context_uri: string | null; ms_played: number | null }>;
}

/** Normalises and de-duplicates the batch in memory, so the SQL sees each key once. */
function buildDocument(plays: PlayInput[]): IngestDocument {
  const artists = new Map<string, IngestDocument['artists'][number]>();
  const albums = new Map<string, IngestDocument['albums'][number]>();
  const tracks = new Map<string, IngestDocument['tracks'][number]>();
  const trackArtists = new Map<string, IngestDocument['track_artists'][number]>();
  const events = new Map<string, IngestDocument['plays'][number]>();

  for (const play of plays) {
    const playedAt = normaliseTimestamp(play.playedAt);
    const { track } = play;
    if (!track.id) throw new InvalidPlayError('a play has a track without an id');
    if (track.album) {
      albums.set(track.album.id, {
        id: track.album.id,
        name: track.album.name,
        uri: track.album.uri,
        release_date: track.album.releaseDate,
        image_url: track.album.imageUrl,
      });
    }
    tracks.set(track.id, { id: track.id, name: track.name, uri: track.uri, duration_ms: track.durationMs, album_id: track.album?.id ?? null });
    track.artists.forEach((artist, position) => {
      artists.set(artist.id, { id: artist.id, name: artist.name, uri: artist.uri });
      trackArtists.set(`${track.id}/${position}`, { track_id: track.id, position, artist_id: artist.id });
    });
    events.set(`${playedAt}/${track.id}`, {
      played_at: playedAt,
      track_id: track.id,
      context_type: play.context?.type ?? null,
      context_uri: play.context?.uri ?? null,
      ms_played: play.msPlayed ?? null,
    });
  }
  return {
    artists: [...artists.values()],
    albums: [...albums.values()],
    tracks: [...tracks.values()],
    track_artists: [...trackArtists.values()],
    plays: [...events.values()],
  };
}

/** `...12Z` and `...12.000Z` are the same instant: both become `...12.000Z`. */
function normaliseTimestamp(value: string | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidPlayError(`played_at "${String(value)}" is not a valid timestamp`);
  return date.toISOString();
}

const INGEST_SQL = `
with doc as (select ?::jsonb as d),
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
  insert into listening_events (user_id, played_at, track_id, context_type, context_uri, source, ms_played)
  select ?::uuid, p.played_at, p.track_id, p.context_type, p.context_uri, ?, p.ms_played
  from doc, jsonb_to_recordset(doc.d->'plays') as p(played_at timestamptz, track_id text, context_type text, context_uri text, ms_played int)
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
         + (select count(*) from new_track_artists) + (select count(*) from new_cursor) as catalogue_writes
`;
