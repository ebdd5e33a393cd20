import { EntitySchema } from '@mikro-orm/core';
import type { User } from '../../accounts/data/user.entity.js';

/** Spotify's catalogue as Playlog saw it: keyed by Spotify ids, stored once however often played. */
export class Artist {
  id!: string;
  name!: string;
  uri!: string;
}

export class Album {
  id!: string;
  name!: string;
  uri!: string;
  releaseDate: string | null = null;
  imageUrl: string | null = null;
}

export class Track {
  id!: string;
  name!: string;
  uri!: string;
  durationMs!: number;
  album: Album | null = null;
}

/** Ordered artists of a track (Spotify lists them in billing order). */
export class TrackArtist {
  track!: Track;
  position!: number;
  artist!: Artist;
}

export const ArtistSchema = new EntitySchema<Artist>({
  class: Artist,
  tableName: 'artists',
  // Search by name (features/search): trigrams of the name without accents, in lower case.
  indexes: [{ name: 'artists_search_key_index', expression: 'create index "artists_search_key_index" on "artists" using gin (playlog_search_key("name") gin_trgm_ops)' }],
  properties: {
    id: { type: 'string', columnType: 'text', primary: true },
    name: { type: 'string', columnType: 'text' },
    uri: { type: 'string', columnType: 'text' },
  },
});

export const AlbumSchema = new EntitySchema<Album>({
  class: Album,
  tableName: 'albums',
  indexes: [{ name: 'albums_search_key_index', expression: 'create index "albums_search_key_index" on "albums" using gin (playlog_search_key("name") gin_trgm_ops)' }],
  properties: {
    id: { type: 'string', columnType: 'text', primary: true },
    name: { type: 'string', columnType: 'text' },
    uri: { type: 'string', columnType: 'text' },
    releaseDate: { type: 'string', columnType: 'text', nullable: true },
    imageUrl: { type: 'string', columnType: 'text', nullable: true },
  },
});

export const TrackSchema = new EntitySchema<Track>({
  class: Track,
  tableName: 'tracks',
  // A ListenBrainz listen without a Spotify id is matched to the listener's own track by title (Migration20261207210000_listenbrainz).
  indexes: [
    { name: 'tracks_lower_name_index', expression: 'create index "tracks_lower_name_index" on "tracks" (lower("name"))' },
    { name: 'tracks_search_key_index', expression: 'create index "tracks_search_key_index" on "tracks" using gin (playlog_search_key("name") gin_trgm_ops)' },
  ],
  properties: {
    id: { type: 'string', columnType: 'text', primary: true },
    name: { type: 'string', columnType: 'text' },
    uri: { type: 'string', columnType: 'text' },
    durationMs: { type: 'integer' },
    album: { kind: 'm:1', entity: 'Album', nullable: true, deleteRule: 'set null', fieldName: 'album_id', index: 'tracks_album_id_index' },
  },
});

export const TrackArtistSchema = new EntitySchema<TrackArtist>({
  class: TrackArtist,
  tableName: 'track_artists',
  properties: {
    track: { kind: 'm:1', entity: 'Track', primary: true, deleteRule: 'cascade', fieldName: 'track_id' },
    position: { type: 'smallint', primary: true },
    artist: { kind: 'm:1', entity: 'Artist', deleteRule: 'cascade', fieldName: 'artist_id', index: 'track_artists_artist_id_index' },
  },
});

/**
 * The names one user's streaming history gave a track Spotify no longer knows. They are that user's words,
 * not Spotify's: they stay beside the user's plays and are shown to that user only, while the shared
 * catalogue row holds nothing but the track's id (docs/import.md, "Tracks Spotify no longer knows"). The
 * table and its columns keep the names they were created with (`export_track_names`, `export_artist_id`).
 */
export class StreamingHistoryTrackNames {
  user!: User;
  track!: Track;
  trackName: string | null = null;
  artistName: string | null = null;
  albumName: string | null = null;
  /** The MusicBrainz recording a player's listen named (ListenBrainz's recording_mbid), by which later listens find this track. */
  recordingMbid: string | null = null;
  /** The ids of the artist and album these names make (streamingHistoryArtistAndAlbum), computed by Postgres. */
  streamingHistoryArtistId?: string | null;
  streamingHistoryAlbumId?: string | null;
}

export const StreamingHistoryTrackNamesSchema = new EntitySchema<StreamingHistoryTrackNames>({
  class: StreamingHistoryTrackNames,
  tableName: 'export_track_names',
  indexes: [
    { name: 'export_track_names_user_id_export_artist_id_index', properties: ['user', 'streamingHistoryArtistId'] },
    { name: 'export_track_names_user_id_export_album_id_index', properties: ['user', 'streamingHistoryAlbumId'] },
    {
      name: 'export_track_names_user_id_recording_mbid_index',
      expression: 'create index "export_track_names_user_id_recording_mbid_index" on "export_track_names" ("user_id", "recording_mbid") where "recording_mbid" is not null',
    },
    // Search by the names a listener's own streaming history gave (features/search).
    ...(['track_name', 'artist_name', 'album_name'] as const).map((column) => ({
      name: `export_track_names_${column}_search_key_index`,
      expression: `create index "export_track_names_${column}_search_key_index" on "export_track_names" using gin (playlog_search_key("${column}") gin_trgm_ops)`,
    })),
  ],
  properties: {
    user: { kind: 'm:1', entity: 'User', primary: true, deleteRule: 'cascade', fieldName: 'user_id' },
    track: { kind: 'm:1', entity: 'Track', primary: true, deleteRule: 'cascade', fieldName: 'track_id', index: 'export_track_names_track_id_index' },
    trackName: { type: 'string', columnType: 'text', nullable: true },
    artistName: { type: 'string', columnType: 'text', nullable: true },
    albumName: { type: 'string', columnType: 'text', nullable: true },
    recordingMbid: { type: 'uuid', nullable: true },
    // Generated columns (Migration20261207120000_export_name_ids), each indexed by user: a page's few ids are found by index.
    streamingHistoryArtistId: { type: 'string', columnType: 'text', fieldName: 'export_artist_id', nullable: true, generated: '(playlog_export_artist_id(artist_name)) stored' },
    streamingHistoryAlbumId: { type: 'string', columnType: 'text', fieldName: 'export_album_id', nullable: true, generated: '(playlog_export_album_id(artist_name, album_name)) stored' },
  },
});
