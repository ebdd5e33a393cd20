/** The Spotify web address of a track: what ListenBrainz calls its `spotify_id`. */
export const spotifyTrackUrl = (trackId: string): string => `https://open.spotify.com/track/${encodeURIComponent(trackId)}`;
