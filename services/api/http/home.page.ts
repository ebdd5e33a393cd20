import type { Request, Response } from 'express';
import type { MikroORM } from '../../features/open-orm.js';
import { findActiveSession } from '../../features/accounts/data/sessions.repository.js';
import { loadUserProfile } from '../../features/accounts/data/users.repository.js';
import { sessionTokenFrom } from '../auth/session-credentials.js';
import { hashSessionToken, looksLikeSessionToken } from '../auth/session-token.js';

/**
 * `GET /`: where a browser lands after logging in (LOGIN_REDIRECT_URL's default). Says who is logged in
 * (from the session cookie) and where things are, so a person who just logged in sees it worked.
 */
export function homePage(deps: { orm: MikroORM; cookieName: string }) {
  return async (req: Request, res: Response): Promise<void> => {
    res.setHeader('Cache-Control', 'no-store');
    const token = sessionTokenFrom(req.headers, deps.cookieName);
    let user: { spotifyId: string; displayName: string | null; status: string } | null = null;
    if (token !== undefined && looksLikeSessionToken(token)) {
      const em = deps.orm.em.fork();
      const session = await findActiveSession(em, hashSessionToken(token));
      const profile = session ? await loadUserProfile(em, session.userId) : null;
      if (profile) user = { spotifyId: profile.spotifyUserId, displayName: profile.displayName, status: profile.status };
    }
    res.json({
      service: 'playlog-api',
      loggedInAs: user,
      graphql: '/graphql',
      login: '/auth/login',
      health: { live: '/healthz', ready: '/readyz' },
    });
  };
}
