import type { ValidListen } from '../listenbrainz/listen-payload.js';
import { countsAsPlay } from '../statistics/counted-play.js';

/** Why a row of a streaming history was not stored as a play; stable names, shown in the import's counts. */
export type StreamingHistorySkipReason = 'podcast' | 'local' | 'malformed';

/**
 * A row reduced to what Playlog keeps. Everything else in the streaming history — IP address, country, platform /
 * device / user agent, username, offline and incognito flags — is dropped HERE, at parse time: it is never
 * copied into any object that reaches the database, a job or a log line.
 */
export interface StreamingHistoryPlay {
  /** The play's end, as the streaming history gives it: whole seconds, UTC. */
  playedAt: string;
  trackId: string;
  msPlayed: number;
  /** The streaming history's names: used only for a track Spotify no longer knows (404). */
  trackName: string | null;
  artistName: string | null;
  albumName: string | null;
}

/** A row as parsed: a play of Spotify's streaming history, a listen of a ListenBrainz export, or why it is skipped. */
export type ParsedRow = { play: StreamingHistoryPlay } | { listen: ValidListen } | { skip: StreamingHistorySkipReason; message: string };

const TRACK_URI = /^spotify:track:([0-9A-Za-z]{22})$/;
// `2021-03-04T12:34:56Z`; older streaming histories and hand-edited files may carry milliseconds or an offset.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Classifies one element of a `Streaming_History_Audio_*.json` array (or an older `endsong_*.json`).
 * Messages name the offending field, never its value, except for the track URI and timestamp (not private).
 */
export function parseStreamingHistoryRow(raw: unknown): ParsedRow {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { skip: 'malformed', message: 'not a JSON object' };
  const row = raw as Record<string, unknown>;
  if (nonEmpty(row.spotify_episode_uri) || nonEmpty(row.episode_name) || nonEmpty(row.audiobook_uri) || nonEmpty(row.audiobook_chapter_uri)) {
    return { skip: 'podcast', message: 'a podcast episode or audiobook chapter' };
  }
  const uri = row.spotify_track_uri;
  if (typeof uri === 'string' && uri.startsWith('spotify:local:')) return { skip: 'local', message: 'a local file' };
  if (uri === null || uri === undefined || uri === '') {
    // A local file has names but no URI; a row with neither names nor URI is not a play we can recognise.
    if (nonEmpty(row.master_metadata_track_name)) return { skip: 'local', message: 'a local file (no track URI)' };
    return { skip: 'malformed', message: 'no track URI, episode or track name' };
  }
  const match = typeof uri === 'string' ? TRACK_URI.exec(uri) : null;
  if (!match) return { skip: 'malformed', message: `spotify_track_uri ${JSON.stringify(String(uri)).slice(0, 80)} is not a track URI` };

  const ts = row.ts;
  if (typeof ts !== 'string' || !TIMESTAMP.test(ts) || !isCalendarInstant(ts)) {
    return { skip: 'malformed', message: `ts ${typeof ts === 'string' ? JSON.stringify(ts.slice(0, 40)) : 'is missing or not a string'} is not an ISO-8601 instant` };
  }
  const msPlayed = row.ms_played;
  if (typeof msPlayed !== 'number' || !Number.isInteger(msPlayed) || msPlayed < 0 || msPlayed > 2_147_483_647) {
    return { skip: 'malformed', message: 'ms_played is missing or not a whole number of milliseconds' };
  }
  return {
    play: {
      playedAt: new Date(Date.parse(ts)).toISOString(),
      trackId: match[1]!,
      msPlayed,
      trackName: text(row.master_metadata_track_name),
      artistName: text(row.master_metadata_album_artist_name),
      albumName: text(row.master_metadata_album_album_name),
    },
  };
}

/**
 * Whether a timestamp's date and time exist: JavaScript's parser rolls a 30 February over into March (and a
 * minute 60 into the next hour) where a play's time must be refused, not moved.
 */
function isCalendarInstant(ts: string): boolean {
  if (Number.isNaN(Date.parse(ts))) return false;
  const [year, month, day, hour, minute, second] = ts.slice(0, 19).split(/[-T:]/).map(Number) as [number, number, number, number, number, number];
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  at.setUTCHours(hour, minute, second);
  return at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === day && at.getUTCHours() === hour && at.getUTCMinutes() === minute && at.getUTCSeconds() === second;
}

/** An imported play too short for Spotify to count: stored, but flagged, and left out of statistics by the same rule. */
export const isShortPlay = (msPlayed: number): boolean => !countsAsPlay('import', msPlayed);

const nonEmpty = (value: unknown): boolean => typeof value === 'string' && value.length > 0;
const text = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value.slice(0, 1_000) : null);
