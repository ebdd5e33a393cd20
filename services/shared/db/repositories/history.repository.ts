import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { PLAY_SOURCES, type PlaySource } from '../entities/listening-event.entity.js';
import { defineStatement, runStatement, timestamp } from '../statements/statement.js';
import { exportArtistAndAlbum, exportNamesOf, knownOnlyById, UNKNOWN_TRACK_NAME } from './export-names.repository.js';

/** A position in a user's history: the key plays are ordered by, with played_at exactly as Postgres prints it. */
export interface HistoryPosition {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds: Postgres' precision). */
  playedAt: string;
  trackId: string;
}

export interface HistoryPageRequest {
  userId: string;
  /** Page size, checked by the caller. */
  first: number;
  /** Plays strictly older than this position (the previous page's end). */
  after?: HistoryPosition;
  /** Inclusive lower bound on played_at. */
  from?: Date;
  /** Exclusive upper bound on played_at. */
  to?: Date;
}

export interface PlayRow {
  position: HistoryPosition;
  playedAt: Date;
  trackId: string;
  contextType: string | null;
  contextUri: string | null;
  source: PlaySource;
  msPlayed: number | null;
}

export interface HistoryPage {
  plays: PlayRow[];
  hasNextPage: boolean;
}

/**
 * The bounds a page request leaves open. With them the page is ONE statement whatever the request: no
 * cursor is "before the end of time" (a row comparison that every real play passes) and no range is
 * "from the beginning to the end of time"; Postgres drops the bounds that are not the tightest.
 */
const NO_CURSOR = { playedAt: 'infinity', trackId: '' } as const;
const NO_LOWER_BOUND = '-infinity';
const NO_UPPER_BOUND = 'infinity';

export const historyPageStatement = defineStatement({
  name: 'history_page',
  purpose: [
    'One page of a user’s plays, newest first, by keyset pagination over the listening_events primary key',
    '(user_id, played_at, track_id): `(played_at, track_id) < cursor`, `first + 1` rows to know whether another page exists.',
    'Postgres walks the index backwards from the cursor, so a page deep in a long history costs what the first page costs',
    '(no OFFSET), and plays stored between two pages never shift them. The row comparison is not expressible in the',
    'query builder, and the history benchmark measures this path. played_at also comes back as text with microseconds,',
    'so cursors keep Postgres’ full precision.',
  ].join(' '),
  sql: `
select to_char(e.played_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as played_at_text,
       e.played_at, e.track_id, e.context_type, e.context_uri, e.source, e.ms_played
  from listening_events e
 where e.user_id = ?
   and (e.played_at, e.track_id) < (?::timestamptz, ?)
   and e.played_at >= ?::timestamptz
   and e.played_at < ?::timestamptz
 order by e.played_at desc, e.track_id desc
 limit ?`,
  row: z.object({
    played_at_text: z.string(),
    played_at: timestamp,
    track_id: z.string(),
    context_type: z.string().nullable(),
    context_uri: z.string().nullable(),
    source: z.enum(PLAY_SOURCES),
    ms_played: z.number().int().nullable(),
  }),
});

/** The bound parameters of `historyPageStatement` for a request (the benchmark's bare baseline sends the same). */
export function historyPageBindings(request: HistoryPageRequest): Array<string | number> {
  const after = request.after ?? NO_CURSOR;
  return [
    request.userId,
    after.playedAt,
    after.trackId,
    request.from?.toISOString() ?? NO_LOWER_BOUND,
    request.to?.toISOString() ?? NO_UPPER_BOUND,
    request.first + 1,
  ];
}

export async function loadHistoryPage(em: EntityManager, request: HistoryPageRequest): Promise<HistoryPage> {
  const rows = await runStatement(em, historyPageStatement, historyPageBindings(request));
  const plays = rows.slice(0, request.first).map((row) => ({
    position: { playedAt: row.played_at_text, trackId: row.track_id },
    playedAt: row.played_at,
    trackId: row.track_id,
    contextType: row.context_type,
    contextUri: row.context_uri,
    source: row.source,
    msPlayed: row.ms_played,
  }));
  return { plays, hasNextPage: rows.length > request.first };
}

export interface AlbumRow {
  id: string;
  name: string;
  uri: string;
  releaseDate: string | null;
  imageUrl: string | null;
}

export interface ArtistRow {
  id: string;
  name: string;
  uri: string;
}

/** A track with its album and its artists in billing order. */
export interface TrackRow {
  id: string;
  name: string;
  uri: string;
  durationMs: number;
  album: AlbumRow | null;
  artists: ArtistRow[];
}

export const pageTracksStatement = defineStatement({
  name: 'history_page_tracks',
  purpose: [
    'The tracks of a history page with their albums and their artists in billing order: ONE query however many plays',
    'the page holds (no N+1, and one round trip rather than three). The ids travel as one JSON array (knex would expand',
    'a JavaScript array into a list of parameters, a new statement text per page size), and the artists of each track',
    'are aggregated in Postgres, so rows map straight to objects. The history benchmark measures this path.',
  ].join(' '),
  sql: `
select t.id, t.name, t.uri, t.duration_ms,
       al.id as album_id, al.name as album_name, al.uri as album_uri,
       al.release_date as album_release_date, al.image_url as album_image_url,
       coalesce((select json_agg(json_build_object('id', ar.id, 'name', ar.name, 'uri', ar.uri) order by ta.position)
                   from track_artists ta join artists ar on ar.id = ta.artist_id
                  where ta.track_id = t.id), '[]'::json) as artists
  from tracks t
  left join albums al on al.id = t.album_id
 where t.id in (select jsonb_array_elements_text(?::jsonb))`,
  row: z.object({
    id: z.string(),
    name: z.string(),
    uri: z.string(),
    duration_ms: z.number().int(),
    album_id: z.string().nullable(),
    album_name: z.string().nullable(),
    album_uri: z.string().nullable(),
    album_release_date: z.string().nullable(),
    album_image_url: z.string().nullable(),
    artists: z.array(z.object({ id: z.string(), name: z.string(), uri: z.string() })),
  }),
});

/** The bound parameter of `pageTracksStatement`: the distinct ids, in page order. */
export const pageTracksBindings = (trackIds: readonly string[]): string[] => [JSON.stringify([...new Set(trackIds)])];

/**
 * The tracks of a history page, by id, with their albums and artists, as `viewerId` sees them: a track
 * Spotify no longer knows carries the names the viewer's own export gave it (a second, small query, made
 * only for a page that holds such a track), never another user's.
 */
export async function loadPageTracks(em: EntityManager, viewerId: string, trackIds: readonly string[]): Promise<Map<string, TrackRow>> {
  const tracks = new Map<string, TrackRow>();
  if (trackIds.length === 0) return tracks;
  const knownById: string[] = [];
  for (const row of await runStatement(em, pageTracksStatement, pageTracksBindings(trackIds))) {
    if (knownOnlyById({ durationMs: row.duration_ms, albumId: row.album_id })) knownById.push(row.id);
    tracks.set(row.id, {
      id: row.id,
      name: row.name,
      uri: row.uri,
      durationMs: row.duration_ms,
      album:
        row.album_id === null || row.album_name === null || row.album_uri === null
          ? null
          : { id: row.album_id, name: row.album_name, uri: row.album_uri, releaseDate: row.album_release_date, imageUrl: row.album_image_url },
      artists: row.artists,
    });
  }
  if (knownById.length > 0) {
    const names = await exportNamesOf(em, viewerId, knownById);
    for (const id of knownById) {
      const track = tracks.get(id)!;
      const own = names.get(id);
      const { artist, album } = own ? exportArtistAndAlbum(own) : { artist: null, album: null };
      tracks.set(id, { ...track, name: own?.trackName ?? UNKNOWN_TRACK_NAME, album, artists: artist ? [artist] : [] });
    }
  }
  return tracks;
}
