/**
 * The scopes Playlog asks for: listening history, plus the profile (display name, country, email)
 * shown in the UI. Nothing that could change the user's Spotify account.
 */
export const PLAYLOG_SPOTIFY_SCOPES = ['user-read-recently-played', 'user-read-private', 'user-read-email'] as const;
