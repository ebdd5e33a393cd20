import type { Catalogue } from './catalogue.js';
import { countsAsPlay, type SyntheticListeners, type SyntheticPlay } from './synthetic-listeners.js';

/** A play as the ground truth reports it: everything, with whether Spotify counts it and would return it now. */
export interface GroundTruthPlay {
  played_at: string;
  ms_played: number;
  /** 30 s or longer: Spotify counts it (shorter ones never appear in recently-played). */
  counted: boolean;
  /** Among the 50 most recent counted plays at the emulator's now. */
  retrievable: boolean;
  track: { id: string; uri: string; name: string; duration_ms: number; album: { id: string; name: string }; artists: Array<{ id: string; name: string }> };
  context: { type: string; uri: string } | null;
}

/**
 * The complete truth about a user's listening: every play that ended in [fromMs, toMs) and at or before
 * the emulator's now (oldest first), or, with 'retrievable', exactly what recently-played can return now.
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
  return {
    played_at: new Date(play.playedAtMs).toISOString(),
    ms_played: play.msPlayed,
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
