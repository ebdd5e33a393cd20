/** What a failed login's code (from /auth/callback) means to the person who tried. */
const LOGIN_FAILURES: Record<string, { title: string; text: string }> = {
  SPOTIFY_LOGIN_DENIED: {
    title: 'You did not give Playlog access',
    text: 'Spotify asked whether Playlog may read your recently played tracks, and the answer was no. Playlog stored nothing. To keep your history, sign in again and choose Agree.',
  },
  LOGIN_STATE_INVALID: {
    title: 'That sign-in expired',
    text: 'The sign-in took too long, or was started in another browser. Start it again here.',
  },
  SPOTIFY_LOGIN_FAILED: {
    title: 'Spotify did not complete the sign-in',
    text: 'Spotify refused the sign-in Playlog asked for. Try again; if it keeps failing, ask whoever runs this Playlog to check its Spotify app settings.',
  },
  SPOTIFY_UNAVAILABLE: { title: 'Spotify cannot be reached', text: 'Spotify did not answer. Try again in a few minutes.' },
  ACCOUNT_DISABLED: { title: 'This account is disabled', text: 'Whoever runs this Playlog has disabled your account.' },
};

const UNKNOWN_FAILURE = { title: 'The sign-in did not complete', text: 'Something went wrong on the way back from Spotify. Try again.' };

/** The request ids the API issues (uuids) or takes from a proxy (hex): nothing that can spell a message. */
const REQUEST_ID = /^[0-9a-f-]{8,64}$/i;

/**
 * The notice of /sign-in?error=<code>&request=<id>. Anyone can send a link to it, so it shows only Playlog's own
 * words: a known code's message (any other code gets a generic one, never its text) and a request id only
 * when it has the form of one.
 */
export function loginFailureOf(params: URLSearchParams): { title: string; text: string; reference: string | null } | null {
  const code = params.get('error');
  if (code === null) return null;
  const request = params.get('request');
  return { ...(LOGIN_FAILURES[code] ?? UNKNOWN_FAILURE), reference: request !== null && REQUEST_ID.test(request) ? request : null };
}
