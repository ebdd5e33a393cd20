import { NavLink } from 'react-router-dom';
import { SearchBox } from '../features/search/search-box.js';
import { dateTime } from '../shared/zoned-time.js';
import { useSession } from './session.js';

const PAGES = [
  { to: '/history', label: 'History' },
  { to: '/stats', label: 'Statistics' },
  { to: '/year', label: 'Year in review' },
  { to: '/import', label: 'Import' },
  { to: '/account', label: 'Account' },
] as const;

/** Every signed-in page: a skip link, the navigation and search, the re-authorisation banner when due, the page. */
export function Layout({ children }: { children: React.ReactNode }) {
  const { me } = useSession();
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <a className="brand" href="/history" aria-label="Playlog home">
          Playlog
        </a>
        <nav aria-label="Main">
          <ul>
            {PAGES.map((page) => (
              <li key={page.to}>
                <NavLink to={page.to}>{page.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <SearchBox />
        <span className="who" title={`Spotify user ${me.spotifyId}`}>
          {me.displayName ?? me.spotifyId}
        </span>
      </header>
      {me.reauthorizeSoon && <ReauthBanner status={me.status} by={me.reauthorizeBy} timeZone={me.timeZone} />}
      <main id="main" className="page" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

function ReauthBanner({ status, by, timeZone }: { status: string; by: string | null; timeZone: string }) {
  const expired = status === 'REAUTH_REQUIRED' || (by !== null && Date.parse(by) <= Date.now());
  return (
    <div className="banner" role="region" aria-label="Spotify access">
      <p>
        {expired
          ? 'Spotify no longer lets Playlog read your plays: log in again to resume collecting them.'
          : `Spotify stops letting Playlog read your plays on ${dateTime(by!, timeZone)}: log in again before then so that nothing is missed.`}
      </p>
      <a className="button" href="/auth/login">
        Log in again with Spotify
      </a>
    </div>
  );
}
