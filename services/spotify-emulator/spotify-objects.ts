import type { Catalogue, CatalogueAlbum, CatalogueArtist, CatalogueTrack } from './catalogue.js';
import { MARKETS } from './catalogue-words.js';
import type { PlayContextRef, SyntheticPlay, SyntheticUser } from './synthetic-listeners.js';

/**
 * Renders catalogue entries and users as the Web API's JSON objects (TrackObject, SimplifiedAlbumObject,
 * SimplifiedArtistObject, ContextObject, PlayHistoryObject, PrivateUserObject). `href`s point at the
 * emulator so they can be followed; `external_urls` point at open.spotify.com like Spotify's.
 */
export class SpotifyObjects {
  constructor(
    private readonly catalogue: Catalogue,
    private readonly apiUrl: () => string,
  ) {}

  track(track: CatalogueTrack): Record<string, unknown> {
    const album = this.catalogue.albums.get(track.albumId)!;
    return {
      album: this.simplifiedAlbum(album),
      artists: track.artistIds.map((id) => this.simplifiedArtist(this.catalogue.artists.get(id)!)),
      available_markets: [...MARKETS],
      disc_number: track.discNumber,
      duration_ms: track.durationMs,
      explicit: track.explicit,
      external_ids: { isrc: track.isrc },
      external_urls: { spotify: `https://open.spotify.com/track/${track.id}` },
      href: `${this.apiUrl()}/tracks/${track.id}`,
      id: track.id,
      is_local: false,
      name: track.name,
      popularity: track.popularity,
      preview_url: null,
      track_number: track.trackNumber,
      type: 'track',
      uri: `spotify:track:${track.id}`,
    };
  }

  simplifiedAlbum(album: CatalogueAlbum): Record<string, unknown> {
    return {
      album_type: album.albumType,
      artists: album.artistIds.map((id) => this.simplifiedArtist(this.catalogue.artists.get(id)!)),
      available_markets: [...MARKETS],
      external_urls: { spotify: `https://open.spotify.com/album/${album.id}` },
      href: `${this.apiUrl()}/albums/${album.id}`,
      id: album.id,
      images: [
        { height: 640, url: `https://i.scdn.co/image/ab67616d0000b273${album.imageKey.slice(0, 24)}`, width: 640 },
        { height: 300, url: `https://i.scdn.co/image/ab67616d00001e02${album.imageKey.slice(0, 24)}`, width: 300 },
        { height: 64, url: `https://i.scdn.co/image/ab67616d00004851${album.imageKey.slice(0, 24)}`, width: 64 },
      ],
      name: album.name,
      release_date: album.releaseDate,
      release_date_precision: album.releaseDatePrecision,
      total_tracks: album.trackIds.length,
      type: 'album',
      uri: `spotify:album:${album.id}`,
    };
  }

  simplifiedArtist(artist: CatalogueArtist): Record<string, unknown> {
    return {
      external_urls: { spotify: `https://open.spotify.com/artist/${artist.id}` },
      href: `${this.apiUrl()}/artists/${artist.id}`,
      id: artist.id,
      name: artist.name,
      type: 'artist',
      uri: `spotify:artist:${artist.id}`,
    };
  }

  context(context: PlayContextRef): Record<string, unknown> | null {
    if (!context) return null;
    return {
      external_urls: { spotify: `https://open.spotify.com/${context.type}/${context.id}` },
      href: `${this.apiUrl()}/${context.type}s/${context.id}`,
      type: context.type,
      uri: `spotify:${context.type}:${context.id}`,
    };
  }

  playHistory(play: SyntheticPlay): Record<string, unknown> {
    return {
      track: this.track(this.catalogue.tracks.get(play.trackId)!),
      played_at: new Date(play.playedAtMs).toISOString(),
      context: this.context(play.context),
    };
  }

  /** `/me`: email only with user-read-email, country / product / explicit_content only with user-read-private, as on Spotify. */
  privateUser(user: SyntheticUser, scopes: readonly string[]): Record<string, unknown> {
    const body: Record<string, unknown> = {
      account_id: user.accountId,
      display_name: user.displayName,
      external_urls: { spotify: `https://open.spotify.com/user/${user.id}` },
      followers: { href: null, total: user.followers },
      href: `${this.apiUrl()}/users/${user.id}`,
      id: user.id,
      images: user.imageKey
        ? [
            { height: 300, url: `https://i.scdn.co/image/ab6775700000ee85${user.imageKey.slice(0, 24)}`, width: 300 },
            { height: 64, url: `https://i.scdn.co/image/ab67757000003b82${user.imageKey.slice(0, 24)}`, width: 64 },
          ]
        : [],
      type: 'user',
      uri: `spotify:user:${user.id}`,
    };
    if (scopes.includes('user-read-email')) body.email = user.email;
    if (scopes.includes('user-read-private')) {
      body.country = user.country;
      body.product = user.product;
      body.explicit_content = { filter_enabled: user.explicitFilterEnabled, filter_locked: false };
    }
    return body;
  }
}
