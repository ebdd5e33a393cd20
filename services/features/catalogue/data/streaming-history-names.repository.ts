import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { StreamingHistoryTrackNames } from './catalogue.entity.js';
import { defineStatement, runStatement } from '../../../shared/db/statements/statement.js';

/** What one user's streaming history called a track Spotify no longer knows. */
export interface StreamingHistoryNames {
  trackId: string;
  trackName: string | null;
  artistName: string | null;
  albumName: string | null;
  /** The MusicBrainz recording a listen named, where one did (ListenBrainz's recording_mbid). */
  recordingMbid?: string | null;
}

/** What a track Spotify no longer knows is called for anyone whose streaming history did not name it. */
export const UNKNOWN_TRACK_NAME = 'Unknown track';

/**
 * Whether a catalogue track is one Spotify no longer knows, kept by its id alone: Spotify gives every
 * track it returns a duration and an album, and the import stores such a track with neither.
 */
export const knownOnlyById = (track: { durationMs: number; albumId: string | null }): boolean => track.durationMs === 0 && track.albumId === null;

/**
 * Keeps the names a user's streaming history gave these tracks, for that user alone. The first names
 * stay: an import run again, or a second streaming history of the same user, changes nothing.
 */
export async function rememberStreamingHistoryNames(em: EntityManager, userId: string, names: readonly StreamingHistoryNames[]): Promise<void> {
  await rememberNamesOfUsers(em, [{ userId, names }]);
}

/** rememberStreamingHistoryNames for several users at once: one statement. */
export async function rememberNamesOfUsers(em: EntityManager, users: ReadonlyArray<{ userId: string; names: readonly StreamingHistoryNames[] }>): Promise<void> {
  const rows = users.flatMap(({ userId, names }) =>
    names.map((name) => ({ user: userId, track: name.trackId, trackName: name.trackName, artistName: name.artistName, albumName: name.albumName, recordingMbid: name.recordingMbid ?? null })),
  );
  if (rows.length === 0) return;
  await em.createQueryBuilder(StreamingHistoryTrackNames).insert(rows).onConflict(['user', 'track']).ignore().execute();
}

/** The names this user's streaming histories gave these tracks, by track id. */
export async function streamingHistoryNamesOf(em: EntityManager, userId: string, trackIds: readonly string[]): Promise<Map<string, StreamingHistoryNames>> {
  const names = new Map<string, StreamingHistoryNames>();
  if (trackIds.length === 0) return names;
  const rows = (await em
    .createQueryBuilder(StreamingHistoryTrackNames, 'n')
    .select(['track', 'trackName', 'artistName', 'albumName'])
    .where({ user: userId, track: { $in: [...new Set(trackIds)] } })
    .execute('all', false)) as Array<{ track_id: string; track_name: string | null; artist_name: string | null; album_name: string | null }>;
  for (const row of rows) names.set(row.track_id, { trackId: row.track_id, trackName: row.track_name, artistName: row.artist_name, albumName: row.album_name });
  return names;
}

export const streamingHistoryNamesByIdStatement = defineStatement({
  name: 'catalogue_export_names_by_id',
  purpose: [
    'The names behind these artist and album ids made from the names in one user’s streaming history (streamingHistoryArtistAndAlbum): for each id,',
    'one row of export_track_names found by the (user_id, export_artist_id) or (user_id, export_album_id) index, so a page',
    'costs a probe per id it shows, never a read of every name the user’s streaming histories gave. A lateral LIMIT 1 per id is not',
    'the query builder’s.',
  ].join(' '),
  sql: `
select 'artist' as kind, k.id, n.artist_name, n.album_name
  from unnest(?::text[]) k(id)
  cross join lateral (select x.artist_name, x.album_name from export_track_names x where x.user_id = ? and x.export_artist_id = k.id limit 1) n
union all
select 'album', k.id, n.artist_name, n.album_name
  from unnest(?::text[]) k(id)
  cross join lateral (select x.artist_name, x.album_name from export_track_names x where x.user_id = ? and x.export_album_id = k.id limit 1) n`,
  row: z.object({ kind: z.enum(['artist', 'album']), id: z.string(), artist_name: z.string().nullable(), album_name: z.string().nullable() }),
});

export type StreamingHistoryArtist = NonNullable<ReturnType<typeof streamingHistoryArtistAndAlbum>['artist']>;
export type StreamingHistoryAlbum = NonNullable<ReturnType<typeof streamingHistoryArtistAndAlbum>['album']>;

/**
 * The artists and albums of these ids that the user's own streaming history names, as their history shows them; ids
 * their names do not make are absent. One statement, one index probe per id (docs/stats.md).
 */
export async function streamingHistoryArtistsAndAlbumsOf(
  em: EntityManager,
  userId: string,
  ids: { artists: readonly string[]; albums: readonly string[] },
): Promise<{ artists: Map<string, StreamingHistoryArtist>; albums: Map<string, StreamingHistoryAlbum> }> {
  const found = { artists: new Map<string, StreamingHistoryArtist>(), albums: new Map<string, StreamingHistoryAlbum>() };
  if (ids.artists.length + ids.albums.length === 0) return found;
  const rows = await runStatement(em, streamingHistoryNamesByIdStatement, [[...new Set(ids.artists)], userId, [...new Set(ids.albums)], userId]);
  for (const row of rows) {
    const { artist, album } = streamingHistoryArtistAndAlbum({ trackId: '', trackName: null, artistName: row.artist_name, albumName: row.album_name });
    if (row.kind === 'artist' && artist?.id === row.id) found.artists.set(row.id, artist);
    if (row.kind === 'album' && album?.id === row.id) found.albums.set(row.id, album);
  }
  return found;
}

/** The user's tracks whose streaming-history names make this artist or album id (a history filtered by it). */
export async function tracksNamedBy(em: EntityManager, userId: string, id: { artistId: string } | { albumId: string }): Promise<string[]> {
  const where = 'artistId' in id ? { streamingHistoryArtistId: id.artistId } : { streamingHistoryAlbumId: id.albumId };
  const rows = await em.find(StreamingHistoryTrackNames, { user: userId, ...where }, { fields: ['track'] });
  return rows.map((row) => row.track.id);
}

/**
 * The artist and album a streaming history names, as the viewer's history shows them: ids derived from
 * the names, prefixed `export-` (never a Spotify id, which is 22 base62 characters), with `playlog:` URIs.
 * They exist in no table: they are made from the user's own names each time. The prefix stays as it was
 * first released: clients hold these ids, and Postgres derives the same ones (export_artist_id).
 */
export function streamingHistoryArtistAndAlbum(names: StreamingHistoryNames): {
  artist: { id: string; name: string; uri: string } | null;
  album: { id: string; name: string; uri: string; releaseDate: null; imageUrl: null } | null;
} {
  const artist = names.artistName === null ? null : { id: derivedId('artist', names.artistName), name: names.artistName };
  const album = names.albumName === null ? null : { id: derivedId('album', `${names.artistName ?? ''}\u0000${names.albumName}`), name: names.albumName };
  return {
    artist: artist && { ...artist, uri: `playlog:export-artist:${artist.id}` },
    album: album && { ...album, uri: `playlog:export-album:${album.id}`, releaseDate: null, imageUrl: null },
  };
}

const derivedId = (kind: string, name: string): string => `export-${createHash('sha256').update(`${kind}\u0000${name}`).digest('base64url').slice(0, 22)}`;
