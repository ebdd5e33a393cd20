import {
  ADJECTIVES,
  FIRST_NAMES,
  GENRES,
  LAST_NAMES,
  NOUNS,
  PLAYLIST_NAMES,
  PLURAL_NOUNS,
  PREPOSITIONS,
  TRACK_SUFFIXES,
  VERBS,
} from './catalogue-words.js';
import { Rng } from './prng.js';
import { imageKey, lowerAlphanumeric, spotifyId } from './spotify-ids.js';

export interface CatalogueArtist {
  id: string;
  name: string;
  genres: string[];
  popularity: number;
  followers: number;
  imageKey: string;
  albumIds: string[];
  trackIds: string[];
}

export interface CatalogueAlbum {
  id: string;
  name: string;
  albumType: 'album' | 'single' | 'compilation';
  artistIds: string[];
  releaseDate: string;
  releaseDatePrecision: 'year' | 'month' | 'day';
  imageKey: string;
  trackIds: string[];
  upc: string;
}

export interface CatalogueTrack {
  id: string;
  name: string;
  albumId: string;
  artistIds: string[];
  durationMs: number;
  explicit: boolean;
  trackNumber: number;
  discNumber: number;
  popularity: number;
  isrc: string;
}

export interface CataloguePlaylist {
  id: string;
  name: string;
  ownerId: string;
  trackIds: string[];
}

/** The music every synthetic user listens to: the same for a given seed, whoever asks. */
export interface Catalogue {
  artists: Map<string, CatalogueArtist>;
  albums: Map<string, CatalogueAlbum>;
  tracks: Map<string, CatalogueTrack>;
  playlists: Map<string, CataloguePlaylist>;
  artistList: CatalogueArtist[];
  trackList: CatalogueTrack[];
  playlistList: CataloguePlaylist[];
}

const ARTIST_COUNT = 80;
const PLAYLIST_COUNT = 16;

export function buildCatalogue(seed: string): Catalogue {
  const rng = new Rng(seed, 'catalogue');
  const catalogue: Catalogue = {
    artists: new Map(),
    albums: new Map(),
    tracks: new Map(),
    playlists: new Map(),
    artistList: [],
    trackList: [],
    playlistList: [],
  };
  const usedNames = new Set<string>();

  for (let i = 0; i < ARTIST_COUNT; i++) {
    const artist: CatalogueArtist = {
      id: spotifyId(rng),
      name: uniqueName(rng, usedNames, artistName),
      genres: rng.shuffle(GENRES).slice(0, rng.int(0, 3)),
      popularity: rng.int(5, 90),
      followers: Math.round(Math.exp(rng.normal(10, 2.2))),
      imageKey: imageKey(rng),
      albumIds: [],
      trackIds: [],
    };
    catalogue.artists.set(artist.id, artist);
    catalogue.artistList.push(artist);
  }

  for (const artist of catalogue.artistList) {
    const releases = rng.int(1, 4);
    let year = rng.int(1968, 2018);
    for (let r = 0; r < releases; r++) {
      addAlbum(catalogue, rng, artist, year, usedNames);
      year = Math.min(2026, year + rng.int(1, 4));
    }
  }

  for (let p = 0; p < PLAYLIST_COUNT; p++) {
    const size = rng.int(20, 60);
    const trackIds = new Set<string>();
    while (trackIds.size < size) trackIds.add(rng.pick(catalogue.trackList).id);
    const playlist: CataloguePlaylist = {
      id: spotifyId(rng),
      name: PLAYLIST_NAMES[p % PLAYLIST_NAMES.length]!,
      ownerId: lowerAlphanumeric(rng, 25),
      trackIds: [...trackIds],
    };
    catalogue.playlists.set(playlist.id, playlist);
    catalogue.playlistList.push(playlist);
  }
  return catalogue;
}

function addAlbum(catalogue: Catalogue, rng: Rng, artist: CatalogueArtist, year: number, usedNames: Set<string>): void {
  const albumType = rng.chance(0.3) ? 'single' : rng.chance(0.05) ? 'compilation' : 'album';
  const trackCount = albumType === 'single' ? rng.int(1, 3) : rng.int(7, 16);
  const precision = year < 1990 && rng.chance(0.5) ? 'year' : rng.chance(0.1) ? 'month' : 'day';
  const month = String(rng.int(1, 12)).padStart(2, '0');
  const day = String(rng.int(1, 28)).padStart(2, '0');
  const releaseDate = precision === 'year' ? `${year}` : precision === 'month' ? `${year}-${month}` : `${year}-${month}-${day}`;
  const album: CatalogueAlbum = {
    id: spotifyId(rng),
    name: uniqueName(rng, usedNames, albumName),
    albumType,
    artistIds: [artist.id],
    releaseDate,
    releaseDatePrecision: precision,
    imageKey: imageKey(rng),
    trackIds: [],
    upc: String(rng.int(100000, 999999)) + String(rng.int(100000, 999999)),
  };
  const discs = trackCount >= 14 && rng.chance(0.3) ? 2 : 1;
  const perDisc = Math.ceil(trackCount / discs);
  for (let t = 0; t < trackCount; t++) {
    const featured = rng.chance(0.12) ? rng.pick(catalogue.artistList) : null;
    const artistIds = featured && featured.id !== artist.id ? [artist.id, featured.id] : [artist.id];
    const track: CatalogueTrack = {
      id: spotifyId(rng),
      name: albumType === 'single' && t === 0 ? album.name : trackName(rng),
      albumId: album.id,
      artistIds,
      durationMs: Math.round(Math.min(540_000, Math.max(80_000, rng.normal(215_000, 55_000)))),
      explicit: rng.chance(0.15),
      trackNumber: (t % perDisc) + 1,
      discNumber: Math.floor(t / perDisc) + 1,
      popularity: Math.max(0, Math.min(100, Math.round(rng.normal(artist.popularity, 12)))),
      isrc: `${rng.pick(['US', 'GB', 'SE', 'DE', 'FR'])}${rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 3)}${String(year % 100).padStart(2, '0')}${String(rng.int(0, 99999)).padStart(5, '0')}`,
    };
    album.trackIds.push(track.id);
    for (const artistId of artistIds) catalogue.artists.get(artistId)!.trackIds.push(track.id);
    catalogue.tracks.set(track.id, track);
    catalogue.trackList.push(track);
  }
  artist.albumIds.push(album.id);
  catalogue.albums.set(album.id, album);
}

function uniqueName(rng: Rng, used: Set<string>, make: (rng: Rng) => string): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const name = make(rng);
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
  }
  const name = `${make(rng)} ${used.size}`;
  used.add(name);
  return name;
}

function artistName(rng: Rng): string {
  switch (rng.int(0, 5)) {
    case 0:
      return `The ${rng.pick(ADJECTIVES)} ${rng.pick(PLURAL_NOUNS)}`;
    case 1:
    case 2:
      return `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
    case 3:
      return `${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}`;
    case 4:
      return `${rng.pick(FIRST_NAMES)} & the ${rng.pick(PLURAL_NOUNS)}`;
    default:
      return rng.pick(PLURAL_NOUNS);
  }
}

function albumName(rng: Rng): string {
  switch (rng.int(0, 5)) {
    case 0:
      return `${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}`;
    case 1:
      return `${rng.pick(NOUNS)} of ${rng.pick(PLURAL_NOUNS)}`;
    case 2:
      return `The ${rng.pick(NOUNS)}`;
    case 3:
      return `Songs for ${rng.pick(ADJECTIVES)} ${rng.pick(PLURAL_NOUNS)}`;
    case 4:
      return rng.pick(ADJECTIVES);
    default:
      return `${rng.pick(NOUNS)} ${rng.pick(['I', 'II', 'III', 'Sessions', 'Tapes', 'Stories'])}`;
  }
}

function trackName(rng: Rng): string {
  let name: string;
  switch (rng.int(0, 4)) {
    case 0:
      name = `${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}`;
      break;
    case 1:
      name = `${rng.pick(VERBS)} ${rng.pick(PREPOSITIONS)} ${rng.pick(NOUNS)}`;
      break;
    case 2:
      name = rng.pick(NOUNS);
      break;
    case 3:
      name = `${rng.pick(NOUNS)} ${rng.pick(['Song', 'Blues', 'Lullaby', 'Waltz', 'Anthem', 'Dream'])}`;
      break;
    default:
      name = `${rng.pick(ADJECTIVES)} ${rng.pick(PLURAL_NOUNS)}`;
  }
  return rng.chance(0.08) ? name + rng.pick(TRACK_SUFFIXES) : name;
}
