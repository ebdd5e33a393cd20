import type { PlaySource } from './data/listening-event.entity.js';

/** Catalogue and play data as Playlog stores it, whatever it came from (polling or an import). */
export interface ArtistInput {
  id: string;
  name: string;
  uri: string;
}

export interface AlbumInput {
  id: string;
  name: string;
  uri: string;
  releaseDate: string | null;
  imageUrl: string | null;
}

export interface TrackInput {
  id: string;
  name: string;
  uri: string;
  durationMs: number;
  album: AlbumInput | null;
  artists: ArtistInput[];
}

export interface PlayInput {
  /** When the play ended, as Spotify reports it; any ISO-8601 form or a Date. */
  playedAt: string | Date;
  track: TrackInput;
  context: { type: string; uri: string } | null;
  msPlayed?: number | null;
  /** Which player reported it (a ListenBrainz client), where the source says. */
  client?: string | null;
  /** When the play began, where the source says so (a ListenBrainz listen's `listened_at`). */
  startedAt?: string | Date | null;
}

export interface IngestRequest {
  userId: string;
  plays: PlayInput[];
  source: PlaySource;
  /** Advances the user's poll cursor (never moves it back), in the same statement as the insert. */
  advanceCursorToMs?: number;
  /**
   * The poll this batch ends has succeeded at this time: last_polled_at and last_success_at are set and the
   * failure streak ends, in the same statement (a poll's last page saves a round trip).
   */
  pollSucceededAt?: Date;
}

export interface IngestResult {
  received: number;
  inserted: number;
}
