import type { EntityManager } from '@mikro-orm/postgresql';
import type { Response } from 'express';
import type { StatementBudget } from '../../shared/db/statements/statement-budget.js';
import type { ActiveSession } from '../../features/accounts/data/sessions.repository.js';
import type { Queues } from '../../shared/jobs/open-queues.js';
import type { Logger } from '../../shared/logging/logger.js';
import { accountDisabled, unauthenticated } from '../app-error.js';
import type { RequestAuth } from '../auth/request-auth.js';
import type { SessionCookie } from '../auth/session-cookie.js';
import type { SpotifyLogin } from '../auth/spotify-login.js';
import type { NowPlayingStore } from '../../features/listenbrainz/now-playing.js';

/** What resolvers share for the life of the server. */
export interface ApiServices {
  login: SpotifyLogin;
  queues: Queues;
  sessionCookie: SessionCookie;
  /** How long a Spotify authorisation lasts and when to warn (SPOTIFY_REFRESH_TOKEN_LIFETIME_DAYS, SPOTIFY_REAUTH_WARNING_DAYS). */
  grant: { lifetimeDays: number; warningDays: number };
  /** Personal exports: hours one can be downloaded (EXPORT_TTL_HOURS), pending (EXPORT_MAX_PENDING) and kept (EXPORT_MAX_KEPT) ones per user. */
  exports: { ttlHours: number; maxPending: number; maxKept: number };
  /** What each listener's players say is playing now (the ListenBrainz API's playing_now). */
  nowPlaying: NowPlayingStore;
}

/** One request's context: its own EntityManager fork and logger, and its session, looked up when first needed. */
export interface ApiContext {
  requestId: string;
  logger: Logger;
  em: EntityManager;
  services: ApiServices;
  /** The HTTP response, for the session cookie (set at login, cleared at logout). */
  res: Response;
  /** The caller's session; throws UNAUTHENTICATED (or ACCOUNT_DISABLED) when there is none. */
  session(): Promise<ActiveSession>;
  /** Whether session() found a signed-in listener during this request. */
  signedIn(): boolean;
}

/**
 * A request's context, from what the HTTP layer prepared for it. It never throws (Apollo would answer
 * 500): the session is looked up lazily, so login mutations touch no session table, and a failed look-up
 * is an error of the field that needed it.
 */
export function createContext(parts: { requestId: string; logger: Logger; em: EntityManager; auth: RequestAuth; res: Response; budget?: StatementBudget }, services: ApiServices): ApiContext {
  const { auth } = parts;
  let signedIn = false;
  return {
    requestId: parts.requestId,
    logger: parts.logger,
    em: parts.em,
    services,
    res: parts.res,
    async session() {
      const found = await auth.lookup();
      if (!found) throw unauthenticated(auth.token !== undefined);
      if (found.userStatus === 'disabled') throw accountDisabled();
      // From now on the request's statements use this listener's share of the connections.
      parts.budget?.setOwner(`user:${found.userId}`);
      signedIn = true;
      return found;
    },
    signedIn: () => signedIn,
  };
}
