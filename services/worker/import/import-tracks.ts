import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenCipher } from '../../shared/crypto/token-cipher.js';
import { findKnownTracks } from '../../features/catalogue/data/catalogue.repository.js';
import { knownOnlyById, type StreamingHistoryNames } from '../../features/catalogue/data/streaming-history-names.repository.js';
import { loadCredentials } from '../../features/accounts/data/credentials.repository.js';
import type { StreamingHistoryPlay } from '../../features/streaming-history/streaming-history-row.js';
import { fromSpotifyItem } from '../../features/plays/from-spotify-item.js';
import type { TrackInput } from '../../features/plays/play-input.js';
import type { SpotifyApiClient } from '../../features/spotify/spotify-api.client.js';
import type { SpotifyOAuthClient } from '../../features/spotify/spotify-oauth.client.js';
import { SpotifyError } from '../../features/spotify/spotify.errors.js';
import type { SpotifyTrack } from '../../features/spotify/spotify-schemas.js';
import { ReauthRequiredError } from '../../features/spotify/reauth-required.error.js';
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
  /** Spotify answered 404: the catalogue keeps the track by its id alone, and the streaming history's names stay with the user. */
  unknown: boolean;
}

// Tracks resolved in one run, kept for the next chunks (a history repeats its favourites); bounded, and
// kept as stubs (a few hundred bytes each): once a chunk is stored, its tracks are in the catalogue.
const CACHE_LIMIT = 50_000;

/**
 * Turns the track ids of a chunk into what ingestPlays needs. A track already in the catalogue is linked
 * as is (the catalogue is insert-only, so a stub with its id is enough); an unknown one is fetched with
 * `GET /tracks/{id}`, one at a time, each look-up inside the app-wide rate limit shared with polling.
 * A track Spotify no longer knows (404) becomes a catalogue row with its id alone, so its plays are kept;
 * the names the streaming history gives it are the user's own (streamingHistoryNamesOf), never the
 * shared catalogue's.
 */
export class ImportTrackResolver {
  private readonly cache = new Map<string, ResolvedTrack>();
  private token: FreshToken | null = null;
  fetched = 0;

  constructor(
    private readonly deps: TrackLookupDeps,
    private readonly userId: string,
  ) {}

  async resolve(em: EntityManager, plays: StreamingHistoryPlay[]): Promise<Map<string, ResolvedTrack>> {
    const result = new Map<string, ResolvedTrack>();
    const notCached = new Set<string>();
    for (const play of plays) {
      const cached = this.cache.get(play.trackId);
      if (cached) result.set(play.trackId, cached);
      else notCached.add(play.trackId);
    }
    if (notCached.size === 0) return result;

    const known = await findKnownTracks(em, [...notCached]);
    for (const track of known) {
      // A row kept by its id alone is a track Spotify answered 404 for: in an earlier chunk of this import
      // (committed before a crash, so the resumed run counts its plays as the first run would have) or an earlier import.
      const resolved = { input: stub(track), unknown: knownOnlyById(track) };
      this.remember(track.id, resolved);
      result.set(track.id, resolved);
      notCached.delete(track.id);
    }
    for (const trackId of notCached) {
      const track = await this.fetchTrack(em, trackId);
      this.fetched++;
      // This chunk stores the whole track; later chunks link to the catalogue row with a stub.
      const resolved = track ? { input: toTrackInput(track), unknown: false } : { input: knownById(trackId), unknown: true };
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

/** A track already in the catalogue, as ingestPlays needs it to link plays (the catalogue is insert-only: the rest is not written). */
const stub = (track: { id: string; name: string; uri: string }): TrackInput => ({ id: track.id, name: track.name, uri: track.uri, durationMs: 0, album: null, artists: [] });

function toTrackInput(track: SpotifyTrack): TrackInput {
  const mapped = fromSpotifyItem({ track, played_at: new Date(0).toISOString(), context: null });
  if (!mapped.play) throw new Error(`Spotify returned track ${track.id ?? '?'} without an id`);
  return mapped.play.track;
}

/**
 * A track Spotify no longer knows, as the shared catalogue keeps it: its id (from the streaming
 * history's URI) and nothing the streaming history says of it. No duration and no album mark it
 * (knownOnlyById): every track Spotify returns has both.
 */
function knownById(trackId: string): TrackInput {
  return { id: trackId, name: '', uri: `spotify:track:${trackId}`, durationMs: 0, album: null, artists: [] };
}

/** The names this chunk's streaming history gives its tracks that Spotify no longer knows: each track's first play's. */
export function streamingHistoryNamesOfChunk(plays: readonly StreamingHistoryPlay[], tracks: ReadonlyMap<string, ResolvedTrack>): StreamingHistoryNames[] {
  const names = new Map<string, StreamingHistoryNames>();
  for (const play of plays) {
    if (!tracks.get(play.trackId)?.unknown || names.has(play.trackId)) continue;
    names.set(play.trackId, { trackId: play.trackId, trackName: play.trackName, artistName: play.artistName, albumName: play.albumName });
  }
  return [...names.values()];
}
