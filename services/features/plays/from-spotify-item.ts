import type { SpotifyAlbum, SpotifyPlayHistoryItem } from '../spotify/spotify-schemas.js';
import type { AlbumInput, ArtistInput, PlayInput } from './play-input.js';

/** Why a play-history item was not stored; stable strings, counted in the worker's log line. */
export type SkipReason = 'local_file' | 'no_track_id';

export type MappedItem =
  | { play: PlayInput; artistsWithoutId: number; skipped?: undefined }
  | { skipped: SkipReason; detail: string; play?: undefined; artistsWithoutId?: undefined };

/**
 * Maps one parsed recently-played item to what Playlog stores.
 *
 * Decisions (docs/pipeline.md, "Odd but real answers"):
 * - a local file (`is_local: true`, `id: null`, `spotify:local:...` uri) is skipped: a play's identity is
 *   (user, Spotify track id, played_at), and a local file has no track id and no catalogue entry;
 * - an artist without an id (seen on local files and some podcasts' "artists") is left out of the
 *   track's artists rather than given an invented id: `artists.id` is a Spotify id everywhere else, and
 *   an id derived from a name would merge different artists who share it;
 * - an album without an id is dropped (the track is stored without album); an album without images
 *   gets no image; of several images the largest is kept;
 * - a context is kept only with both type and uri; unknown context types are stored as Spotify sends them;
 * - `played_at` with or without milliseconds is the same instant (ingest normalises it).
 */
export function fromSpotifyItem(item: SpotifyPlayHistoryItem): MappedItem {
  const { track } = item;
  if (track.is_local === true || track.uri.startsWith('spotify:local:')) {
    return { skipped: 'local_file', detail: `local file "${track.name}" played at ${item.played_at}` };
  }
  if (!track.id) return { skipped: 'no_track_id', detail: `track "${track.name}" played at ${item.played_at} has no Spotify id` };

  const artists: ArtistInput[] = [];
  let artistsWithoutId = 0;
  for (const artist of track.artists ?? []) {
    if (!artist.id) {
      artistsWithoutId++;
      continue;
    }
    artists.push({ id: artist.id, name: artist.name, uri: artist.uri ?? `spotify:artist:${artist.id}` });
  }

  const context = item.context?.type && item.context.uri ? { type: item.context.type, uri: item.context.uri } : null;
  return {
    play: {
      playedAt: item.played_at,
      // recently-played does not say how long a play lasted; only the streaming-history import does.
      msPlayed: null,
      context,
      track: {
        id: track.id,
        name: track.name,
        uri: track.uri,
        durationMs: track.duration_ms,
        album: toAlbum(track.album),
        artists,
      },
    },
    artistsWithoutId,
  };
}

function toAlbum(album: SpotifyAlbum | null | undefined): AlbumInput | null {
  if (!album?.id) return null;
  return {
    id: album.id,
    name: album.name,
    uri: album.uri ?? `spotify:album:${album.id}`,
    releaseDate: album.release_date ?? null,
    imageUrl: largestImage(album.images ?? []),
  };
}

/** The largest image by area; images without sizes count as 0, so the first one wins among those. */
function largestImage(images: ReadonlyArray<{ url: string; width?: number | null; height?: number | null }>): string | null {
  let best: { url: string; area: number } | null = null;
  for (const image of images) {
    const area = (image.width ?? 0) * (image.height ?? 0);
    if (!best || area > best.area) best = { url: image.url, area };
  }
  return best?.url ?? null;
}
