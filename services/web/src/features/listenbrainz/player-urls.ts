/** One ListenBrainz player and what to paste into it to send its plays to this Playlog. */
export interface PlayerSetting {
  player: string;
  url: string;
  /** Where the player asks for the URL and the token. */
  where: string;
}

/**
 * The URL each common player takes, from the origin the app is served at (`location.origin`: no trailing
 * slash). Players build their request URLs differently from the one they are given
 * (test/listenbrainz/fixtures/clients/README.md read each from its source): most take the base and add
 * `/1/…` themselves; Navidrome's setting includes the `/1/`; Web Scrobbler takes the full endpoint; Music
 * Assistant keeps only the host, and Playlog also serves the API at the origin's `/1`.
 */
export function playerSettings(origin: string): PlayerSetting[] {
  const base = `${origin}/listenbrainz`;
  return [
    { player: 'Navidrome', url: `${base}/1/`, where: 'server setting ListenBrainz.BaseURL (ND_LISTENBRAINZ_BASEURL); each user then adds the token under Personal › ListenBrainz' },
    { player: 'Jellyfin (ListenBrainz plugin)', url: base, where: 'Dashboard › Plugins › ListenBrainz: “ListenBrainz API URL”, and the token per user' },
    { player: 'Pano Scrobbler', url: base, where: 'Settings › Accounts › Custom ListenBrainz: “API URL” and “Token”' },
    { player: 'Web Scrobbler', url: `${base}/1/submit-listens`, where: 'Options › Accounts › ListenBrainz › edit properties: “API URL” and “Token”' },
    { player: 'gonic', url: base, where: 'admin page, “listenbrainz” box: “server addr” and “api key”' },
    { player: 'listenbrainz-mpd', url: base, where: 'config.toml, [submission]: api_url and token' },
    { player: 'Music Assistant', url: origin, where: 'ListenBrainz Scrobbler provider: “User token”, and “Base URL” among the advanced settings' },
  ];
}
