import type { PlaySource } from '../../services/features/plays/data/listening-event.entity.js';
import type { PlayInput, TrackInput } from '../../services/features/plays/play-input.js';
import { buildCatalogue, type Catalogue } from '../../services/spotify-emulator/catalogue.js';
import { EmulatorClock } from '../../services/spotify-emulator/clock.js';
import { groundTruth, type GroundTruthPlay } from '../../services/spotify-emulator/ground-truth.js';
import type { ReportingSettings } from '../../services/spotify-emulator/play-reporting.js';
import { SyntheticListeners } from '../../services/spotify-emulator/synthetic-listeners.js';

/**
 * One synthetic listener of the emulator, in-process, and what each source Playlog stores from reports of
 * their plays: recently-played as the poller reads it, the streaming history as an import reads it, the
 * listens a ListenBrainz client sends. Every report remembers the ground-truth play it reports, so that
 * what is stored can be compared with what happened (test/shared/duplicate-plays.test.ts).
 */
export interface Report {
  source: PlaySource;
  client: string | null;
  /** The ground-truth play it reports. */
  play: GroundTruthPlay;
  input: PlayInput;
}

const catalogues = new Map<string, Catalogue>();

export class ListeningWorld {
  readonly clock: EmulatorClock;
  readonly listeners: SyntheticListeners;
  readonly catalogue: Catalogue;
  readonly userId: string;

  constructor(seed: string, reporting: ReportingSettings, playsPerHour: number) {
    const catalogue = catalogues.get('playlog') ?? buildCatalogue('playlog');
    catalogues.set('playlog', catalogue);
    this.catalogue = catalogue;
    this.clock = new EmulatorClock({ startAt: 0, frozen: true });
    this.listeners = new SyntheticListeners(seed, catalogue, this.clock, { users: 0, playsPerHour: [playsPerHour, playsPerHour], reporting });
    this.userId = this.listeners.add({ id: 'listener', playsPerHour }).id;
  }

  /** Every play that really ended in [fromMs, toMs), skips included (the clock is moved to toMs). */
  plays(fromMs: number, toMs: number): GroundTruthPlay[] {
    this.clock.set(toMs);
    return groundTruth(this, this.userId, fromMs, toMs);
  }

  /** What one poll at `atMs` reads: everything recently-played returns then (the poller's lookback covers it all). */
  poll(atMs: number): Report[] {
    this.clock.set(atMs);
    return groundTruth(this, this.userId, 'retrievable').map((play) => ({
      source: 'poll',
      client: null,
      play,
      input: { playedAt: play.played_at, msPlayed: null, context: play.context, track: this.trackOf(play) },
    }));
  }

  /** The streaming history's rows of plays that ended in [fromMs, toMs), as the import stores them. */
  streamingHistory(fromMs: number, toMs: number): Report[] {
    return this.plays(fromMs, toMs).map((play) => ({
      source: 'import',
      client: null,
      play,
      input: { playedAt: play.streaming_history.ts, msPlayed: play.streaming_history.ms_played, context: null, track: this.trackOf(play) },
    }));
  }

  /**
   * The listens a ListenBrainz client sends of plays that ended in [fromMs, toMs), shaped as the ListenBrainz
   * feature hands them to ingestPlays: start = listened_at, end = start + duration, the track by its Spotify
   * id with no catalogue data. `startedLateMs` moves a client's listened_at later (a player that notices a
   * play a moment late); `withDuration` false sends none (the play then ends where it starts).
   */
  listens(fromMs: number, toMs: number, client: string, options: { startedLateMs?: (play: GroundTruthPlay) => number; withDuration?: boolean } = {}): Report[] {
    return this.plays(fromMs, toMs).flatMap((play): Report[] => {
      if (!play.listenbrainz) return [];
      const startMs = Math.floor((Date.parse(play.started_at) + (options.startedLateMs?.(play) ?? 0)) / 1000) * 1000;
      const durationMs = options.withDuration === false ? null : play.listenbrainz.duration_ms;
      const track: TrackInput = { id: play.track.id, name: '', uri: play.track.uri, durationMs: 0, album: null, artists: [] };
      return [
        {
          source: 'listenbrainz',
          client,
          play,
          input: { playedAt: new Date(startMs + (durationMs ?? 0)), startedAt: new Date(startMs), msPlayed: durationMs, client, context: null, track },
        },
      ];
    });
  }

  private trackOf(play: GroundTruthPlay): TrackInput {
    const track = this.catalogue.tracks.get(play.track.id)!;
    const album = this.catalogue.albums.get(track.albumId)!;
    return {
      id: track.id,
      name: track.name,
      uri: `spotify:track:${track.id}`,
      durationMs: track.durationMs,
      album: { id: album.id, name: album.name, uri: `spotify:album:${album.id}`, releaseDate: album.releaseDate, imageUrl: null },
      artists: track.artistIds.map((id) => ({ id, name: this.catalogue.artists.get(id)!.name, uri: `spotify:artist:${id}` })),
    };
  }
}

/** What a stored row (or a report) says of its play: its source, client, track and reported instant. */
export const reportKey = (source: string, client: string | null, trackId: string, reportedAt: Date | string): string =>
  `${source}|${client ?? ''}|${trackId}|${new Date(reportedAt).toISOString()}`;

export const keyOfReport = (report: Report): string =>
  reportKey(report.source, report.client, report.input.track.id, report.source === 'listenbrainz' ? report.input.startedAt! : report.input.playedAt);
