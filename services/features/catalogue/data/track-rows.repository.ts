import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { defineStatement, runStatement } from '../../../shared/db/statements/statement.js';
import { streamingHistoryArtistAndAlbum, streamingHistoryNamesOf, knownOnlyById, UNKNOWN_TRACK_NAME } from './streaming-history-names.repository.js';

/** The catalogue's tracks as one listener sees them, for any page of plays or rankings (history, statistics). */

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
  /** Null for a track Spotify no longer knows. */
  durationMs: number | null;
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
 * Spotify no longer knows carries the names the viewer's own streaming history gave it (a second, small
 * query, made only for a page that holds such a track), never another user's.
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
    const names = await streamingHistoryNamesOf(em, viewerId, knownById);
    for (const id of knownById) {
      const track = tracks.get(id)!;
      const own = names.get(id);
      const { artist, album } = own ? streamingHistoryArtistAndAlbum(own) : { artist: null, album: null };
      tracks.set(id, { ...track, name: own?.trackName ?? UNKNOWN_TRACK_NAME, durationMs: null, album, artists: artist ? [artist] : [] });
    }
  }
  return tracks;
}
