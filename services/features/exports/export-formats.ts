import type { ExportFormatName } from './data/export.entity.js';
import type { ExportPlay } from './data/export-plays.repository.js';
import { UNKNOWN_TRACK_NAME } from '../catalogue/data/streaming-history-names.repository.js';
import { spotifyTrackUrl } from '../catalogue/spotify-track-url.js';

/**
 * The formats of a personal export (docs/export.md), each written play by play: `begin`, one `row` per
 * play (null: the play cannot be written in this format and is counted as skipped), `end`.
 */
export interface ExportFormat {
  contentType: string;
  extension: string;
  begin(): string;
  row(play: ExportPlay, index: number): string | null;
  end(): string;
}

/**
 * When the play started, in Unix seconds: Playlog keeps when it ended, so its length is subtracted (the
 * track's duration when Spotify did not say how long it played, nothing when that is unknown too).
 */
export function listenedAt(play: ExportPlay): number {
  const lengthMs = play.msPlayed ?? play.durationMs ?? 0;
  return Math.floor((play.playedAt.getTime() - lengthMs) / 1000);
}

const artistName = (play: ExportPlay): string => play.artistNames.join(', ');

const isSpotifyTrack = (play: ExportPlay): boolean => play.trackUri === `spotify:track:${play.trackId}`;

/** The track's duration: the catalogue's, else the one a player sent with its listen (kept as the listen's length). */
const durationOf = (play: ExportPlay): number | null => play.durationMs ?? (play.source === 'listenbrainz' ? play.msPlayed : null);

/** One ListenBrainz listen per line; a play whose track or artist has no name at all is skipped. */
const listenBrainz: ExportFormat = {
  contentType: 'application/x-ndjson; charset=utf-8',
  extension: 'jsonl',
  begin: () => '',
  row(play) {
    const artist = artistName(play);
    if (!play.trackName || artist === '') return null;
    const listen = {
      listened_at: listenedAt(play),
      track_metadata: {
        artist_name: artist,
        track_name: play.trackName,
        ...(play.albumName ? { release_name: play.albumName } : {}),
        additional_info: {
          ...(durationOf(play) !== null ? { duration_ms: durationOf(play) } : {}),
          // A Spotify track only: a track made from a player's names (`listen-…`) has no address on Spotify.
          ...(isSpotifyTrack(play) ? { spotify_id: spotifyTrackUrl(play.trackId), origin_url: spotifyTrackUrl(play.trackId), music_service: 'spotify.com' } : {}),
          submission_client: 'Playlog',
        },
      },
    };
    return `${JSON.stringify(listen)}\n`;
  },
  end: () => '',
};

export const CSV_COLUMNS = ['played_at', 'ms_played', 'source', 'track_id', 'track_name', 'artist_names', 'album_name', 'duration_ms', 'track_uri', 'context_type', 'context_uri'] as const;

/** A CSV field after RFC 4180: quoted when it holds a quote, a comma or a line break, its quotes doubled. */
export function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (fields: ReadonlyArray<string | number | null>): string => `${fields.map(csvField).join(',')}\r\n`;

/** RFC 4180: a header row, CRLF line ends, UTF-8, times in ISO-8601 with Z. */
const csv: ExportFormat = {
  contentType: 'text/csv; charset=utf-8; header=present',
  extension: 'csv',
  begin: () => csvLine(CSV_COLUMNS),
  row: (play) =>
    csvLine([
      play.playedAt.toISOString(),
      play.msPlayed,
      play.source,
      play.trackId,
      play.trackName ?? UNKNOWN_TRACK_NAME,
      artistName(play),
      play.albumName,
      play.durationMs,
      play.trackUri,
      play.contextType,
      play.contextUri,
    ]),
  end: () => '',
};

/** A play as the GraphQL API names its fields (docs/api.md). */
export function playAsGraphQL(play: ExportPlay) {
  return {
    playedAt: play.playedAt.toISOString(),
    msPlayed: play.msPlayed,
    source: play.source.toUpperCase(),
    context: play.contextType !== null && play.contextUri !== null ? { type: play.contextType, uri: play.contextUri } : null,
    track: {
      id: play.trackId,
      name: play.trackName ?? UNKNOWN_TRACK_NAME,
      uri: play.trackUri,
      durationMs: play.durationMs,
      album: play.albumName !== null ? { name: play.albumName } : null,
      artists: play.artistNames.map((name) => ({ name })),
    },
  };
}

/** One JSON array of plays, one per line. */
const json: ExportFormat = {
  contentType: 'application/json; charset=utf-8',
  extension: 'json',
  begin: () => '[',
  row: (play, index) => `${index === 0 ? '\n' : ',\n'}${JSON.stringify(playAsGraphQL(play))}`,
  end: () => '\n]\n',
};

export const EXPORT_FORMAT_WRITERS: Record<ExportFormatName, ExportFormat> = { listenbrainz_jsonl: listenBrainz, csv, json };
