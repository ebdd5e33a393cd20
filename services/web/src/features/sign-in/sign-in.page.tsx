import { useSearchParams } from 'react-router-dom';

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

export function SignInPage() {
  const [params] = useSearchParams();
  const code = params.get('error');
  const failure = code ? (LOGIN_FAILURES[code] ?? { title: 'The sign-in did not complete', text: `Spotify’s answer could not be used (${code}). Try again.` }) : null;
  return (
    <main id="main" className="page narrow sign-in">
      <h1>Playlog</h1>
      {failure ? (
        <div className="notice error" role="alert">
          <h2>{failure.title}</h2>
          <p>{failure.text}</p>
          {params.get('request') && <p className="quiet">Reference: {params.get('request')}</p>}
        </div>
      ) : params.has('deleted') ? (
        <p className="notice" role="status">
          Your account is deleted: your plays, imports and Spotify access are gone from Playlog.
        </p>
      ) : params.has('signedOut') ? (
        <p className="notice" role="status">
          You are signed out.
        </p>
      ) : (
        <p className="lead">Every song you play on Spotify, kept for good. Spotify only remembers your last 50 plays; Playlog keeps them all, and shows you what you listened to.</p>
      )}
      <a className="button primary" href="/auth/login">
        Sign in with Spotify
      </a>
      <p className="quiet">Playlog asks Spotify for your recently played tracks only. You can delete everything it stored at any time.</p>
    </main>
  );
}
