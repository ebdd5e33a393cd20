import type { TrackRow } from '../../features/catalogue/data/track-rows.repository.js';
import { spotifyTrackUrl } from '../../features/catalogue/spotify-track-url.js';
import type { ListenRow } from '../../features/listenbrainz/data/listens.repository.js';
import type { NowPlaying } from '../../features/listenbrainz/now-playing.js';

/** A listen in ListenBrainz's JSON (docs/users/json.rst), as the API's GET endpoints answer it. */
export interface ListenJson {
  listened_at?: number;
  inserted_at?: number;
  recording_msid?: string;
  user_name: string;
  playing_now?: boolean;
  track_metadata: {
    artist_name: string;
    track_name: string;
    release_name?: string;
    additional_info: Record<string, unknown>;
  };
}

const UNKNOWN_ARTIST = 'Unknown artist';

/**
 * One stored play as a listen: names as this listener sees them, its start as `listened_at`, and what
 * Playlog knows beyond names in additional_info (the Spotify track, the duration, which player or source
 * reported it). `recording_msid` is Playlog's stable id of the play, not MessyBrainz's.
 */
export function listenJson(userName: string, listen: ListenRow, track: TrackRow | undefined): ListenJson {
  const spotifyTrack = track?.uri.startsWith('spotify:track:') === true;
  const info: Record<string, unknown> = {
    artist_names: track?.artists.map((artist) => artist.name) ?? [],
    ...(listen.durationMs === null ? {} : { duration_ms: listen.durationMs }),
    ...(spotifyTrack ? { spotify_id: spotifyTrackUrl(listen.trackId), music_service: 'spotify.com' } : {}),
    ...(listen.client === null ? {} : { submission_client: listen.client }),
    playlog_source: listen.source,
  };
  return {
    listened_at: listen.listenedAt,
    inserted_at: listen.insertedAt,
    recording_msid: `${listen.playedAt.getTime()}-${listen.trackId}`,
    user_name: userName,
    track_metadata: {
      artist_name: artistNameOf(track),
      track_name: track?.name ?? 'Unknown track',
      ...(track?.album ? { release_name: track.album.name } : {}),
      additional_info: info,
    },
  };
}

export function nowPlayingJson(userName: string, playing: NowPlaying): ListenJson {
  return {
    user_name: userName,
    playing_now: true,
    track_metadata: {
      artist_name: playing.artistName,
      track_name: playing.trackName,
      ...(playing.releaseName === null ? {} : { release_name: playing.releaseName }),
      additional_info: playing.additionalInfo,
    },
  };
}

/** Artists as players write them: billing order, comma separated. */
const artistNameOf = (track: TrackRow | undefined): string => (track && track.artists.length > 0 ? track.artists.map((artist) => artist.name).join(', ') : UNKNOWN_ARTIST);
