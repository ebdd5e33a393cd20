import type { AlbumRow, ArtistRow, TrackRow } from '../../features/catalogue/data/track-rows.repository.js';
import { toGlobalId } from '../relay/global-id.js';
import type { Album, Artist, Track } from './catalogue.type.js';

/** An artist or album made from the names of the viewer's streaming history, not one of Spotify's. */
const fromStreamingHistory = (id: string): boolean => id.startsWith('export-');

export function toArtist(row: ArtistRow): Artist {
  const spotify = !fromStreamingHistory(row.id);
  return { __typename: 'Artist', id: toGlobalId({ type: 'Artist', artistId: row.id }), spotifyId: spotify ? row.id : null, name: row.name, uri: spotify ? row.uri : null };
}

export function toAlbum(row: AlbumRow): Album {
  const spotify = !fromStreamingHistory(row.id);
  return {
    __typename: 'Album',
    id: toGlobalId({ type: 'Album', albumId: row.id }),
    spotifyId: spotify ? row.id : null,
    name: row.name,
    uri: spotify ? row.uri : null,
    releaseDate: row.releaseDate,
    imageUrl: row.imageUrl,
  };
}

export function toTrack(row: TrackRow): Track {
  return {
    __typename: 'Track',
    id: toGlobalId({ type: 'Track', trackId: row.id }),
    spotifyId: row.id,
    name: row.name,
    durationMs: row.durationMs,
    uri: row.uri,
    album: row.album && toAlbum(row.album),
    artists: row.artists.map(toArtist),
  };
}
