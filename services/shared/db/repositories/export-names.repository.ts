import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ExportTrackNames } from '../entities/catalogue.entity.js';

/** What one user's export called a track Spotify no longer knows. */
export interface ExportNames {
  trackId: string;
  trackName: string | null;
  artistName: string | null;
  albumName: string | null;
}

/** What a track Spotify no longer knows is called for anyone whose export did not name it. */
export const UNKNOWN_TRACK_NAME = 'Unknown track';

/**
 * Whether a catalogue track is one Spotify no longer knows, kept by its id alone: Spotify gives every
 * track it returns a duration and an album, and the import stores such a track with neither.
 */
export const knownOnlyById = (track: { durationMs: number; albumId: string | null }): boolean => track.durationMs === 0 && track.albumId === null;

/**
 * Keeps the names a user's export gave these tracks, for that user alone. The first names stay: an
 * import run again, or a second export of the same user, changes nothing.
 */
export async function rememberExportNames(em: EntityManager, userId: string, names: readonly ExportNames[]): Promise<void> {
  if (names.length === 0) return;
  await em
    .createQueryBuilder(ExportTrackNames)
    .insert(names.map((name) => ({ user: userId, track: name.trackId, trackName: name.trackName, artistName: name.artistName, albumName: name.albumName })))
    .onConflict(['user', 'track'])
    .ignore()
    .execute();
}

/** The names this user's exports gave these tracks, by track id. */
export async function exportNamesOf(em: EntityManager, userId: string, trackIds: readonly string[]): Promise<Map<string, ExportNames>> {
  const names = new Map<string, ExportNames>();
  if (trackIds.length === 0) return names;
  const rows = (await em
    .createQueryBuilder(ExportTrackNames, 'n')
    .select(['track', 'trackName', 'artistName', 'albumName'])
    .where({ user: userId, track: { $in: [...new Set(trackIds)] } })
    .execute('all', false)) as Array<{ track_id: string; track_name: string | null; artist_name: string | null; album_name: string | null }>;
  for (const row of rows) names.set(row.track_id, { trackId: row.track_id, trackName: row.track_name, artistName: row.artist_name, albumName: row.album_name });
  return names;
}

/** Every name the user's exports gave tracks Spotify no longer knows (a few per export at most). */
export async function allExportNamesOf(em: EntityManager, userId: string): Promise<ExportNames[]> {
  const rows = await em.find(ExportTrackNames, { user: userId }, { fields: ['track', 'trackName', 'artistName', 'albumName'] });
  return rows.map((row) => ({ trackId: row.track.id, trackName: row.trackName, artistName: row.artistName, albumName: row.albumName }));
}

/**
 * The artist and album an export names, as the viewer's history shows them: ids derived from the names,
 * prefixed `export-` (never a Spotify id, which is 22 base62 characters), with `playlog:` URIs. They
 * exist in no table: they are made from the user's own names each time.
 */
export function exportArtistAndAlbum(names: ExportNames): {
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
