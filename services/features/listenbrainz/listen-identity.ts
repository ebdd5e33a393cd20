import { createHash } from 'node:crypto';

const SPOTIFY_ID = /^[0-9A-Za-z]{22}$/;
const SPOTIFY_TRACK_URL = /^https?:\/\/open\.spotify\.com\/(?:intl-[a-z-]+\/)?track\/([0-9A-Za-z]{22})(?:[/?#].*)?$/;
const SPOTIFY_TRACK_URI = /^spotify:track:([0-9A-Za-z]{22})$/;

/**
 * The Spotify track a listen names, if it names one: ListenBrainz's `spotify_id` is a track URL
 * (`https://open.spotify.com/track/<id>`), players also send the URI or the bare id; Web Scrobbler sends
 * the page it scrobbled from as `origin_url`.
 */
export function spotifyTrackIdOf(info: Record<string, unknown>): string | null {
  for (const value of [info.spotify_id, info.origin_url]) {
    if (typeof value !== 'string') continue;
    const text = value.trim();
    const match = SPOTIFY_TRACK_URL.exec(text) ?? SPOTIFY_TRACK_URI.exec(text);
    if (match) return match[1]!;
    if (value === info.spotify_id && SPOTIFY_ID.test(text)) return text;
  }
  return null;
}

/** The MusicBrainz recording a listen names, in the one form Postgres prints a uuid (ListenBrainz accepts others). */
export function recordingMbidOf(info: Record<string, unknown>): string | null {
  const value = info.recording_mbid;
  if (typeof value !== 'string') return null;
  const hex = value.trim().toLowerCase().replace(/^urn:uuid:/, '').replace(/[{}-]/g, '');
  if (!/^[0-9a-f]{32}$/.test(hex)) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Names as a listen's identity compares them: Unicode-normalised, spaces collapsed, case aside. */
export const normalisedName = (name: string): string => name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * The track id of a listen Playlog cannot find in the catalogue: made from its artist and title as
 * normalisedName compares them, so the same song sent by any player is one track, and prefixed `listen-`
 * (a Spotify id is 22 characters). The catalogue row holds this id alone; the names stay the listener's own.
 */
export function listenTrackId(artist: string, title: string): string {
  const digest = createHash('sha256').update(`listen\u0000${normalisedName(artist)}\u0000${normalisedName(title)}`).digest('base64url');
  return `listen-${digest.slice(0, 22)}`;
}

/** Which player sent a listen, as ListenBrainz's additional_info says (submission_client, then media_player). */
export function clientOf(info: Record<string, unknown>): string | null {
  for (const key of ['submission_client', 'media_player', 'listening_from', 'music_service_name', 'music_service']) {
    const value = info[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 100);
  }
  return null;
}

/**
 * Players whose `listened_at` is when the play ended, not when it began as ListenBrainz documents (read from
 * their sources: test/listenbrainz/fixtures/clients/): Jellyfin's plugin takes it when playback stops.
 */
const LISTENED_AT_IS_THE_END = [/^ListenBrainz plugin for Jellyfin$/i];

export const listenedAtIsTheEnd = (info: Record<string, unknown>): boolean =>
  typeof info.submission_client === 'string' && LISTENED_AT_IS_THE_END.some((pattern) => pattern.test(info.submission_client as string));
