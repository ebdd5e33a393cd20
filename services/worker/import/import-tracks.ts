import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenCipher } from '../../shared/crypto/token-cipher.js';
import { findKnownTracks, type KnownTrack } from '../../shared/db/repositories/catalogue.repository.js';
import { loadCredentials } from '../../shared/db/repositories/credentials.repository.js';
import type { ExportPlay } from '../../shared/imports/export-row.js';
import { fromSpotifyItem } from '../../shared/plays/from-spotify-item.js';
import type { TrackInput } from '../../shared/plays/play-input.js';
import type { SpotifyApiClient } from '../../shared/spotify/spotify-api.client.js';
import type { SpotifyOAuthClient } from '../../shared/spotify/spotify-oauth.client.js';
import { SpotifyError } from '../../shared/spotify/spotify.errors.js';
import type { SpotifyTrack } from '../../shared/spotify/spotify-schemas.js';
import { ReauthRequiredError } from '../../shared/spotify/reauth-required.error.js';
import { freshAccessToken, type FreshToken, type TokenSettings } from '../tokens/refresh-tokens.js';
import type { SharedSpotifyRateLimit } from './shared-rate-limit.js';

export interface TrackLookupDeps {
  cipher: TokenCipher;
  api: SpotifyApiClient;
  oauth: SpotifyOAuthClient;
  tokens: TokenSettings;
  rateLimit: SharedSpotifyRateLimit;
  now: () => number;
}

export interface ResolvedTrack {
  input: TrackInput;
  /** Spotify answered 404: the track row holds the export's names. */
  unknown: boolean;
}

// Tracks resolved in one run, kept for the next chunks (a history repeats its favourites); bounded, and
// kept as stubs (a few hundred bytes each): once a chunk is stored, its tracks are in the catalogue.
const CACHE_LIMIT = 50_000;
/** Prefix of the ids given to an export's album artists and albums (never a Spotify id: those are 22 base62 characters). */
const EXPORT_ID_PREFIX = 'export-';

/**
 * Turns the track ids of a chunk into what ingestPlays needs. A track already in the catalogue is linked
 * as is (the catalogue is insert-only, so a stub with its id is enough); an unknown one is fetched with
 * `GET /tracks/{id}`, one at a time, each look-up inside the app-wide rate limit shared with polling.
 * A track Spotify no longer knows (404) becomes a row keyed by its id with the export's names, so its
 * plays are kept.
 */
export class ImportTrackResolver {
  private readonly cache = new Map<string, ResolvedTrack>();
  private token: FreshToken | null = null;
  fetched = 0;

  constructor(
    private readonly deps: TrackLookupDeps,
    private readonly userId: string,
  ) {}

  async resolve(em: EntityManager, plays: ExportPlay[]): Promise<Map<string, ResolvedTrack>> {
    const result = new Map<string, ResolvedTrack>();
    const firstPlayOf = new Map<string, ExportPlay>();
    for (const play of plays) {
      const cached = this.cache.get(play.trackId);
      if (cached) result.set(play.trackId, cached);
      else if (!firstPlayOf.has(play.trackId)) firstPlayOf.set(play.trackId, play);
    }
    if (firstPlayOf.size === 0) return result;

    const known = await findKnownTracks(em, [...firstPlayOf.keys()]);
    for (const track of known) {
      // A row made from an export's names is a track Spotify answered 404 for: in an earlier chunk of this import
      // (committed before a crash, so the resumed run counts its plays as the first run would have) or an earlier import.
      const resolved = { input: stub(track), unknown: isFromExportNames(track) };
      this.remember(track.id, resolved);
      result.set(track.id, resolved);
      firstPlayOf.delete(track.id);
    }
    for (const [trackId, play] of firstPlayOf) {
      const track = await this.fetchTrack(em, trackId);
      this.fetched++;
      // This chunk stores the whole track; later chunks link to the catalogue row with a stub.
      const resolved = track ? { input: toTrackInput(track), unknown: false } : { input: fromExportNames(play), unknown: true };
      this.remember(trackId, { input: stub(resolved.input), unknown: resolved.unknown });
      result.set(trackId, resolved);
    }
    return result;
  }

  private remember(trackId: string, track: ResolvedTrack): void {
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(trackId, track);
  }

  /** The track, or null when Spotify does not know it (404, or an id it calls invalid). */
  private async fetchTrack(em: EntityManager, id: string): Promise<SpotifyTrack | null> {
    let refreshedAfter401 = false;
    for (;;) {
      await this.deps.rateLimit.acquire();
      const token = await this.accessToken(em, false);
      try {
        return await this.deps.api.getTrack(token, id);
      } catch (error) {
        if (!(error instanceof SpotifyError)) throw error;
        if (error.kind === 'not_found' || error.kind === 'bad_request') return null;
        if (error.kind === 'rate_limited') {
          await this.deps.rateLimit.pause(error.retryAfterMs ?? 1_000);
          continue;
        }
        if (error.kind === 'unauthorized' && !refreshedAfter401) {
          refreshedAfter401 = true;
          await this.accessToken(em, true);
          continue;
        }
        // Anything else (5xx, timeouts, an exhausted quota): the job fails and retries later from its checkpoint.
        throw error;
      }
    }
  }

  private async accessToken(em: EntityManager, force: boolean): Promise<string> {
    if (!this.token) {
      const stored = await loadCredentials(em, this.deps.cipher, this.userId);
      if (!stored) throw new ReauthRequiredError('No Spotify credentials are stored for this user: they must log in again before the import can look tracks up.');
      this.token = { credentials: stored, refreshed: false };
    }
    this.token = await freshAccessToken(em, this.deps, this.userId, this.token.credentials, this.deps.tokens, { force });
    return this.token.credentials.accessToken;
  }
}

/** A row this module made from an export's names (see fromExportNames): no duration, no album or an `export-` one. */
const isFromExportNames = (track: KnownTrack): boolean => track.durationMs === 0 && (track.albumId === null || track.albumId.startsWith(EXPORT_ID_PREFIX));

/** A track already in the catalogue, as ingestPlays needs it to link plays (the catalogue is insert-only: the rest is not written). */
const stub = (track: { id: string; name: string; uri: string }): TrackInput => ({ id: track.id, name: track.name, uri: track.uri, durationMs: 0, album: null, artists: [] });

function toTrackInput(track: SpotifyTrack): TrackInput {
  const mapped = fromSpotifyItem({ track, played_at: new Date(0).toISOString(), context: null });
  if (!mapped.play) throw new Error(`Spotify returned track ${track.id ?? '?'} without an id`);
  return mapped.play.track;
}

/**
 * A track Spotify no longer knows: its id from the export's URI, its names from the export. The export
 * gives the album artist's and album's names only, without ids: they get ids derived from the names,
 * prefixed `export-` (never a Spotify id, which is 22 base62 characters), so they cannot collide with
 * real catalogue rows. The duration is unknown: 0. That duration with no album or an `export-` one marks
 * the row as made here (resolve() reads it back so): every track Spotify returns has a duration.
 */
function fromExportNames(play: ExportPlay): TrackInput {
  const artist = play.artistName ? { id: derivedId('artist', play.artistName), name: play.artistName, uri: `playlog:export-artist:${derivedId('artist', play.artistName)}` } : null;
  const album = play.albumName
    ? { id: derivedId('album', `${play.artistName ?? ''}\u0000${play.albumName}`), name: play.albumName, releaseDate: null, imageUrl: null }
    : null;
  return {
    id: play.trackId,
    name: play.trackName ?? 'Unknown track',
    uri: `spotify:track:${play.trackId}`,
    durationMs: 0,
    album: album && { ...album, uri: `playlog:export-album:${album.id}` },
    artists: artist ? [artist] : [],
  };
}

const derivedId = (kind: string, name: string): string => `${EXPORT_ID_PREFIX}${createHash('sha256').update(`${kind}\u0000${name}`).digest('base64url').slice(0, 22)}`;
