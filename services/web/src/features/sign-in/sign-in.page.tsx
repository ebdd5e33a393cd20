import { useSearchParams } from 'react-router-dom';
import { loginFailureOf } from './login-failures.js';

export function SignInPage() {
  const [params] = useSearchParams();
  const failure = loginFailureOf(params);
  return (
    <main id="main" className="page narrow sign-in">
      <h1>Playlog</h1>
      {failure ? (
        <div className="notice error" role="alert">
          <h2>{failure.title}</h2>
          <p>{failure.text}</p>
          {failure.reference && <p className="quiet">Reference: {failure.reference}</p>}
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
