import type { Response } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import type { MikroORM } from '../../shared/db/open-orm.js';
import type { ActiveSession } from '../../shared/db/sessions.repository.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { PollJobData } from '../../shared/queue/poll-jobs.js';
import type { SpotifyLogin } from '../auth/spotify-login.js';
import type { RequestAuth } from '../http/request-auth.js';
import type { SessionCookie } from '../http/session-cookie.js';
import { requestLogger, requestIdOf } from '../http/request-id.js';
import { ApiError, unauthenticated } from './errors.js';

/** What resolvers share for the life of the server. */
export interface ApiServices {
  orm: MikroORM;
  login: SpotifyLogin;
  pollQueue: Queue<PollJobData>;
  sessionCookie: SessionCookie;
}

/** One request's context: its own EntityManager fork and logger, and its session, looked up when first needed. */
export interface ApiContext {
  requestId: string;
  logger: Logger;
  em: EntityManager;
  services: ApiServices;
  res: Response;
  /** The caller's session; throws UNAUTHENTICATED (or ACCOUNT_DISABLED) when there is none. */
  session(): Promise<ActiveSession>;
}

/**
 * Builds a request's context from what the /graphql middleware prepared (`res.locals.em`, `res.locals.auth`).
 * It never throws (Apollo would answer 500): the session is looked up lazily, so login mutations touch no
 * session table, and a failed look-up is an error of the field that needed it.
 */
export function createContext(services: ApiServices, res: Response): ApiContext {
  const em = res.locals.em as EntityManager;
  const auth = res.locals.auth as RequestAuth;
  return {
    requestId: requestIdOf(res),
    logger: requestLogger(res),
    em,
    services,
    res,
    async session() {
      const found = await auth.lookup();
      if (!found) throw unauthenticated(auth.token !== undefined);
      if (found.userStatus === 'disabled') throw new ApiError('ACCOUNT_DISABLED', 'This Playlog account is disabled; ask the operator.');
      return found;
    },
  };
}
