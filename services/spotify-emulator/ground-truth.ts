import type { Catalogue } from './catalogue.js';
import type { PlayedAtIs } from './play-reporting.js';
import { countsAsPlay, type SyntheticListeners, type SyntheticPlay } from './synthetic-listeners.js';

/**
 * Web Scrobbler (and every ListenBrainz client that follows its submission guidelines) sends a listen once
 * the track has played for half its duration or four minutes, whichever comes first, and never for a track
 * shorter than 30 seconds.
 */
const SCROBBLE_AFTER_MS = 240_000;
const SCROBBLE_MIN_TRACK_MS = 30_000;

/**
 * A play as the ground truth reports it: when it really began and ended, what each source reports of it
 * (recently-played's `played_at`, its streaming-history row, the listen a ListenBrainz client sends), whether
 * Spotify counts it and would return it now.
 */
export interface GroundTruthPlay {
  /** What recently-played reports as `played_at`: the end, or the start (`played_at_is`). */
  played_at: string;
  played_at_is: PlayedAtIs;
  /** When the play really began and ended; a pause (`paused_ms`) lies between them. */
  started_at: string;
  ended_at: string;
  paused_ms: number;
  ms_played: number;
  /** When recently-played first shows it: its end, or hours later for a play made offline. */
  delivered_at: string;
  offline: boolean;
  /** Its row in the extended streaming history: `ts` is the end, truncated to the second. */
  streaming_history: { ts: string; ms_played: number };
  /** The listen Web Scrobbler sends ListenBrainz (`listened_at`: the start, Unix seconds), or null when it sends none. */
  listenbrainz: { listened_at: number; duration_ms: number } | null;
  /** 30 s or longer: Spotify counts it (shorter ones never appear in recently-played). */
  counted: boolean;
  /** Among the 50 most recent counted plays at the emulator's now. */
  retrievable: boolean;
  track: { id: string; uri: string; name: string; duration_ms: number; album: { id: string; name: string }; artists: Array<{ id: string; name: string }> };
  context: { type: string; uri: string } | null;
}

/**
 * The complete truth about a user's listening: every play that really ended in [fromMs, toMs) and at or
 * before the emulator's now (oldest first), or, with 'retrievable', exactly what recently-played can return now.
 */
export function groundTruth(
  source: { listeners: SyntheticListeners; catalogue: Catalogue },
  userId: string,
  fromMs: number | 'retrievable',
  toMs = Number.POSITIVE_INFINITY,
): GroundTruthPlay[] {
  const retrievable = source.listeners.retrievable(userId);
  const retrievableAt = new Set(retrievable.map((play) => play.playedAtMs));
  const plays = fromMs === 'retrievable' ? [...retrievable].reverse() : source.listeners.playsBetween(userId, fromMs, toMs);
  return plays.map((play) => describe(source.catalogue, play, retrievableAt));
}

function describe(catalogue: Catalogue, play: SyntheticPlay, retrievable: Set<number>): GroundTruthPlay {
  const track = catalogue.tracks.get(play.trackId)!;
  const album = catalogue.albums.get(track.albumId)!;
  const iso = (ms: number) => new Date(ms).toISOString();
  const scrobbled = track.durationMs >= SCROBBLE_MIN_TRACK_MS && play.msPlayed >= Math.min(track.durationMs / 2, SCROBBLE_AFTER_MS);
  return {
    played_at: iso(play.playedAtMs),
    played_at_is: play.playedAtIs,
    started_at: iso(play.startedAtMs),
    ended_at: iso(play.endedAtMs),
    paused_ms: play.pausedMs,
    ms_played: play.msPlayed,
    delivered_at: iso(play.deliveredAtMs),
    offline: play.offline,
    streaming_history: { ts: iso(Math.floor(play.endedAtMs / 1000) * 1000).replace('.000Z', 'Z'), ms_played: play.msPlayed },
    listenbrainz: scrobbled ? { listened_at: Math.floor(play.startedAtMs / 1000), duration_ms: track.durationMs } : null,
    counted: countsAsPlay(play),
    retrievable: retrievable.has(play.playedAtMs),
    track: {
      id: track.id,
      uri: `spotify:track:${track.id}`,
      name: track.name,
      duration_ms: track.durationMs,
      album: { id: album.id, name: album.name },
      artists: track.artistIds.map((id) => ({ id, name: catalogue.artists.get(id)!.name })),
    },
    context: play.context && { type: play.context.type, uri: `spotify:${play.context.type}:${play.context.id}` },
  };
}
