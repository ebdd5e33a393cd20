import { EntitySchema } from '@mikro-orm/core';

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
  properties: {
    id: { type: 'string', columnType: 'text', primary: true },
    name: { type: 'string', columnType: 'text' },
    uri: { type: 'string', columnType: 'text' },
  },
});

export const AlbumSchema = new EntitySchema<Album>({
  class: Album,
  tableName: 'albums',
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
