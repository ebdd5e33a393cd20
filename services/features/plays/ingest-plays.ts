import type { EntityManager } from '@mikro-orm/postgresql';
import { storePlayBatch, type PlayBatch, type PlayRow } from './data/plays.repository.js';
import type { PlaySource } from './data/listening-event.entity.js';
import type { IngestRequest, IngestResult, PlayInput } from './play-input.js';

export class InvalidPlayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPlayError';
  }
}

/**
 * Stores a batch of plays for one user, exactly once: checks and normalises the plays, de-duplicates
 * them and their catalogue rows in memory, then stores everything in one statement
 * (`storePlayBatch`, which says why it is written by hand). Running it twice stores nothing twice; a play
 * another source (or another ListenBrainz client) stored already is not stored again
 * (data/schema/playlog_duplicate_plays.sql; docs/import.md, "How duplicates are decided").
 */
export async function ingestPlays(em: EntityManager, request: IngestRequest): Promise<IngestResult> {
  const cursor = request.advanceCursorToMs ?? null;
  if (cursor !== null && !Number.isSafeInteger(cursor)) throw new InvalidPlayError(`cursor ${cursor} is not a whole number of milliseconds`);
  const inserted = await storePlayBatch(em, {
    batch: buildBatch([{ userId: request.userId, plays: request.plays }], request.source),
    source: request.source,
    cursor: cursor === null && !request.pollSucceededAt ? null : { userId: request.userId, advanceToMs: cursor, pollSucceededAt: request.pollSucceededAt ?? null },
  });
  return { received: request.plays.length, inserted: inserted.get(request.userId) ?? 0 };
}

/**
 * Stores the plays of several users from one source in one statement, each exactly once as ingestPlays
 * stores them: what many small submissions at once (ListenBrainz's single listens) share instead of a
 * statement, its triggers and a commit each. The result is each user's, in the order given.
 */
export async function ingestPlaysOfUsers(em: EntityManager, source: PlaySource, users: readonly UserPlays[]): Promise<IngestResult[]> {
  if (users.length === 0) return [];
  const inserted = await storePlayBatch(em, { batch: buildBatch(users, source), source, cursor: null });
  return users.map((user) => ({ received: user.plays.length, inserted: inserted.get(user.userId) ?? 0 }));
}

/** One user's plays of a batch. */
export interface UserPlays {
  userId: string;
  plays: readonly PlayInput[];
}

/**
 * Normalises and de-duplicates the batch in memory, so the SQL sees each key once: a play by its user, what
 * its source reports of it (a listen's start, else played_at) and its track. A user named twice is one user
 * (their plays together). Exported for the ingest benchmark's baseline.
 */
export function buildBatch(users: readonly UserPlays[], source: PlaySource): PlayBatch {
  const artists = new Map<string, PlayBatch['artists'][number]>();
  const albums = new Map<string, PlayBatch['albums'][number]>();
  const tracks = new Map<string, PlayBatch['tracks'][number]>();
  const trackArtists = new Map<string, PlayBatch['track_artists'][number]>();
  const usersPlays = new Map<string, Map<string, PlayRow>>();

  for (const { userId, plays } of users) {
    const events = usersPlays.get(userId) ?? new Map<string, PlayRow>();
    usersPlays.set(userId, events);
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
      const startedAt = play.startedAt === undefined || play.startedAt === null ? null : normaliseTimestamp(play.startedAt);
      events.set(`${(source === 'listenbrainz' ? startedAt : null) ?? playedAt}/${track.id}`, {
        played_at: playedAt,
        track_id: track.id,
        context_type: play.context?.type ?? null,
        context_uri: play.context?.uri ?? null,
        ms_played: play.msPlayed ?? null,
        client: play.client ?? null,
        started_at: startedAt,
        duration_ms: track.durationMs,
      });
    }
  }
  return {
    artists: [...artists.values()],
    albums: [...albums.values()],
    tracks: [...tracks.values()],
    track_artists: [...trackArtists.values()],
    users: [...usersPlays].map(([userId, events]) => ({ user_id: userId, plays: [...events.values()] })),
  };
}

/** `...12Z` and `...12.000Z` are the same instant: both become `...12.000Z`. */
function normaliseTimestamp(value: string | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidPlayError(`played_at "${String(value)}" is not a valid timestamp`);
  return date.toISOString();
}
