import type { Catalogue, CatalogueArtist, CataloguePlaylist } from './catalogue.js';
import { COUNTRIES, FIRST_NAMES, LAST_NAMES } from './catalogue-words.js';
import type { EmulatorClock } from './clock.js';
import { checkReporting, type PlayedAtIs, type ReportingSettings } from './play-reporting.js';
import { Rng } from './prng.js';
import { imageKey, lowerAlphanumeric } from './spotify-ids.js';

/**
 * Spotify counts a play that lasted this long or longer (a skip does not enter the history): the boundary
 * Playlog's own counting rule takes too (features/statistics/counted-play.ts; the emulator stands for
 * Spotify and imports none of Playlog's features, so a test checks both agree).
 */
export const COUNTED_PLAY_MIN_MS = 30_000;
/** Spotify only exposes a user's most recent 50 counted plays through recently-played. */
export const RETRIEVABLE_PLAYS = 50;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** How far back a history search goes (a user with a very low rate still has a bounded cost). */
const MAX_LOOKBACK_HOURS = 24 * 400;
const MAX_CACHED_HOURS = 50_000;

export interface SyntheticUser {
  id: string;
  accountId: string;
  displayName: string;
  email: string;
  country: string;
  product: 'premium' | 'free';
  /** Average plays per hour (skips included); the real count per hour is Poisson-distributed. */
  playsPerHour: number;
  imageKey: string | null;
  followers: number;
  explicitFilterEnabled: boolean;
}

export type PlayContextRef = { type: 'album' | 'playlist' | 'artist'; id: string } | null;

export interface SyntheticPlay {
  /** Spotify's `played_at`, ms since the epoch: the play's end, or its start on a day its client reports starts. */
  playedAtMs: number;
  playedAtIs: PlayedAtIs;
  /** When the play really began and ended (a pause makes it end later than its start plus msPlayed). */
  startedAtMs: number;
  endedAtMs: number;
  pausedMs: number;
  /** When recently-played first shows it: its end, or hours later for a play made offline. */
  deliveredAtMs: number;
  offline: boolean;
  trackId: string;
  msPlayed: number;
  context: PlayContextRef;
}

export interface NewUserSpec {
  id?: string;
  displayName?: string;
  playsPerHour?: number;
  country?: string;
  product?: 'premium' | 'free';
}

interface Taste {
  artists: CatalogueArtist[];
  playlists: CataloguePlaylist[];
  heavyRotation: string[];
}

interface Segment {
  context: PlayContextRef;
  remaining: number;
  next: () => string;
}

export const countsAsPlay = (play: Pick<SyntheticPlay, 'msPlayed'> & Partial<SyntheticPlay>): boolean => play.msPlayed >= COUNTED_PLAY_MIN_MS;

/**
 * Deterministic listeners. A user's plays in an hour depend only on (seed, user id, hour), never on
 * the window a caller asks about, so the same seed and clock always give the same history.
 * Plays are kept inside their hour, so every hour can be generated on its own.
 */
export class SyntheticListeners {
  private readonly users = new Map<string, SyntheticUser>();
  private readonly tastes = new Map<string, Taste>();
  private readonly hours = new Map<string, SyntheticPlay[]>();
  private added = 0;

  private reportingSettings: ReportingSettings;

  constructor(
    private readonly seed: string,
    private readonly catalogue: Catalogue,
    private readonly clock: EmulatorClock,
    private readonly settings: { users: number; playsPerHour: readonly [number, number]; reporting: ReportingSettings },
  ) {
    this.reportingSettings = checkReporting(settings.reporting);
    for (let index = 0; index < settings.users; index++) this.register(this.generateUser(new Rng(seed, 'user', index)));
  }

  /** How plays are reported (play-reporting.ts). */
  get reporting(): ReportingSettings {
    return this.reportingSettings;
  }

  /** Changes how plays are reported; every play is then generated again under the new settings. */
  updateReporting(change: Partial<ReportingSettings>): ReportingSettings {
    this.reportingSettings = checkReporting({ ...this.reportingSettings, ...change });
    this.hours.clear();
    return this.reportingSettings;
  }

  list(): SyntheticUser[] {
    return [...this.users.values()];
  }

  get(id: string): SyntheticUser | undefined {
    return this.users.get(id);
  }

  /** Adds a listener at run time; unspecified traits come from the seed. */
  add(spec: NewUserSpec = {}): SyntheticUser {
    const generated = this.generateUser(new Rng(this.seed, 'added-user', this.added++));
    const user: SyntheticUser = {
      ...generated,
      ...(spec.id !== undefined && { id: spec.id, email: `${spec.id}@example.com` }),
      ...(spec.displayName !== undefined && { displayName: spec.displayName }),
      ...(spec.playsPerHour !== undefined && { playsPerHour: spec.playsPerHour }),
      ...(spec.country !== undefined && { country: spec.country }),
      ...(spec.product !== undefined && { product: spec.product }),
    };
    if (!/^[a-z0-9]{1,64}$/.test(user.id)) throw new RangeError('a user id is 1 to 64 lowercase letters and digits');
    if (!(user.playsPerHour >= 0 && user.playsPerHour <= 60)) throw new RangeError('playsPerHour must be between 0 and 60');
    if (this.users.has(user.id)) throw new RangeError(`user ${user.id} already exists`);
    this.register(user);
    return user;
  }

  /** Every play (skips included) that really ended in [fromMs, toMs) and at or before the clock's now, oldest first. */
  playsBetween(userId: string, fromMs: number, toMs: number): SyntheticPlay[] {
    const user = this.require(userId);
    const end = Math.min(toMs, this.clock.now() + 1);
    if (end - fromMs > MAX_LOOKBACK_HOURS * HOUR_MS) throw new RangeError(`a range covers at most ${MAX_LOOKBACK_HOURS / 24} days`);
    const plays: SyntheticPlay[] = [];
    for (let hour = Math.floor(fromMs / HOUR_MS); hour * HOUR_MS < end; hour++) {
      for (const play of this.playsInHour(user, hour)) if (play.endedAtMs >= fromMs && play.endedAtMs < end) plays.push(play);
    }
    return plays;
  }

  /**
   * What recently-played can return right now: the 50 latest counted plays it has been told of, newest
   * `played_at` first. A play made offline joins the list when it is delivered, at its old place.
   */
  retrievable(userId: string): SyntheticPlay[] {
    const user = this.require(userId);
    const now = this.clock.now();
    const result: SyntheticPlay[] = [];
    const currentHour = Math.floor(now / HOUR_MS);
    for (let hour = currentHour; hour > currentHour - MAX_LOOKBACK_HOURS && result.length < RETRIEVABLE_PLAYS; hour--) {
      const plays = this.playsInHour(user, hour);
      for (let i = plays.length - 1; i >= 0 && result.length < RETRIEVABLE_PLAYS; i--) {
        const play = plays[i]!;
        if (play.deliveredAtMs <= now && countsAsPlay(play)) result.push(play);
      }
    }
    return result;
  }

  private require(userId: string): SyntheticUser {
    const user = this.users.get(userId);
    if (!user) throw new RangeError(`no synthetic user ${userId}`);
    return user;
  }

  private register(user: SyntheticUser): void {
    let { id } = user;
    for (let n = 2; this.users.has(id); n++) id = `${user.id}${n}`;
    this.users.set(id, { ...user, id, email: `${id}@example.com` });
  }

  private generateUser(rng: Rng): SyntheticUser {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const [min, max] = this.settings.playsPerHour;
    const id = `${first.toLowerCase()}${lowerAlphanumeric(rng, 5)}`;
    return {
      id,
      accountId: lowerAlphanumeric(rng, 10),
      displayName: `${first} ${last}`,
      email: `${id}@example.com`,
      country: rng.pick(COUNTRIES),
      product: rng.chance(0.7) ? 'premium' : 'free',
      playsPerHour: Math.round((min + rng.next() * (max - min)) * 10) / 10,
      imageKey: rng.chance(0.6) ? imageKey(rng) : null,
      followers: rng.int(0, 120),
      explicitFilterEnabled: rng.chance(0.1),
    };
  }

  private tasteOf(user: SyntheticUser): Taste {
    let taste = this.tastes.get(user.id);
    if (!taste) {
      const rng = new Rng(this.seed, user.id, 'taste');
      const artists = rng.shuffle(this.catalogue.artistList).slice(0, rng.int(6, 12));
      const favouriteTracks = artists.flatMap((artist) => artist.trackIds);
      taste = {
        artists,
        playlists: rng.shuffle(this.catalogue.playlistList).slice(0, rng.int(2, 4)),
        heavyRotation: Array.from({ length: 6 }, () => rng.pick(favouriteTracks)),
      };
      this.tastes.set(user.id, taste);
    }
    return taste;
  }

  private playsInHour(user: SyntheticUser, hour: number): SyntheticPlay[] {
    const key = `${user.id}:${hour}`;
    let plays = this.hours.get(key);
    if (!plays) {
      plays = this.generateHour(user, hour);
      if (this.hours.size >= MAX_CACHED_HOURS) this.hours.delete(this.hours.keys().next().value as string);
      this.hours.set(key, plays);
    }
    return plays;
  }

  private generateHour(user: SyntheticUser, hour: number): SyntheticPlay[] {
    const rng = new Rng(this.seed, user.id, 'hour', hour);
    // How the hour's plays are reported draws from generators of its own, so that with exact reporting
    // the plays are the very ones the emulator made before it reported realistically.
    const pauses = new Rng(this.seed, user.id, 'pauses', hour);
    const offline = new Rng(this.seed, user.id, 'offline', hour);
    const settings = this.reportingSettings;
    const playedAtIs: PlayedAtIs = new Rng(this.seed, user.id, 'played-at', Math.floor((hour * HOUR_MS) / DAY_MS)).chance(settings.startedAtShare) ? 'start' : 'end';
    const target = rng.poisson(user.playsPerHour);
    const plays: SyntheticPlay[] = [];
    const hourEnd = (hour + 1) * HOUR_MS;
    const isOffline = offline.chance(settings.offlineShare);
    const deliveredLate = hourEnd + offline.int(settings.offlineDelayMinMs, settings.offlineDelayMaxMs);
    let cursor = hour * HOUR_MS + rng.int(0, 10 * 60_000);
    let segment: Segment | null = null;
    while (plays.length < target) {
      if (!segment || segment.remaining <= 0) segment = this.newSegment(rng, this.tasteOf(user));
      segment.remaining--;
      const track = this.catalogue.tracks.get(segment.next())!;
      const roll = rng.next();
      const msPlayed = roll < 0.12 ? rng.int(1_500, COUNTED_PLAY_MIN_MS - 1) : roll < 0.2 ? rng.int(COUNTED_PLAY_MIN_MS + 1, track.durationMs) : track.durationMs;
      const pausedMs = pauses.chance(settings.pauseShare) ? pauses.int(5_000, settings.pauseMaxMs) : 0;
      const end = cursor + msPlayed + pausedMs;
      if (end >= hourEnd) break;
      plays.push({
        playedAtMs: playedAtIs === 'start' ? cursor : end,
        playedAtIs,
        startedAtMs: cursor,
        endedAtMs: end,
        pausedMs,
        deliveredAtMs: isOffline ? deliveredLate : end,
        offline: isOffline,
        trackId: track.id,
        msPlayed,
        context: segment.context,
      });
      cursor = end + (rng.chance(0.05) ? rng.int(60_000, 600_000) : rng.int(1, 3_000));
    }
    return plays;
  }

  /** A run of plays with one origin: an album in order, a shuffled playlist, an artist, loose tracks or one track on repeat. */
  private newSegment(rng: Rng, taste: Taste): Segment {
    const mode = rng.weighted({ playlist: 35, album: 25, artist: 10, loose: 20, repeat: 10 });
    switch (mode) {
      case 'album': {
        const artist = rng.chance(0.8) ? rng.pick(taste.artists) : rng.pick(this.catalogue.artistList);
        const album = this.catalogue.albums.get(rng.pick(artist.albumIds))!;
        let index = rng.chance(0.7) ? 0 : rng.int(0, album.trackIds.length - 1);
        return {
          context: { type: 'album', id: album.id },
          remaining: Math.max(1, Math.min(rng.int(3, 12), album.trackIds.length - index)),
          next: () => album.trackIds[index++ % album.trackIds.length]!,
        };
      }
      case 'playlist': {
        const playlist = rng.pick(taste.playlists);
        return { context: { type: 'playlist', id: playlist.id }, remaining: rng.int(3, 10), next: () => rng.pick(playlist.trackIds) };
      }
      case 'artist': {
        const artist = rng.pick(taste.artists);
        return { context: { type: 'artist', id: artist.id }, remaining: rng.int(2, 6), next: () => rng.pick(artist.trackIds) };
      }
      case 'repeat': {
        const trackId = rng.pick(taste.heavyRotation);
        const albumId = this.catalogue.tracks.get(trackId)!.albumId;
        return { context: rng.chance(0.5) ? null : { type: 'album', id: albumId }, remaining: rng.int(2, 4), next: () => trackId };
      }
      default:
        return {
          context: null,
          remaining: rng.int(1, 5),
          next: () => (rng.chance(0.5) ? rng.pick(taste.heavyRotation) : rng.pick(rng.pick(taste.artists).trackIds)),
        };
    }
  }
}
