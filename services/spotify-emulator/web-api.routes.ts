import { Router, type NextFunction, type Request, type Response } from 'express';
import type { EmulatorState } from './emulator-state.js';
import type { ScriptedFault } from './faults.js';
import { sendJson, sendWebApiError } from './http-replies.js';
import { infrastructureFaults } from './infrastructure-faults.js';
import { parseRecentlyPlayedQuery, sliceRecentlyPlayed } from './recently-played.js';
import { SpotifyObjects } from './spotify-objects.js';
import { isSpotifyId } from './spotify-ids.js';
import type { AccessToken } from './token-store.js';

/** The Web API under `/v1`: `/me`, `/me/player/recently-played`, `/tracks/{id}`. */
export function webApiRoutes(state: EmulatorState): Router {
  const router = Router();
  const objects = new SpotifyObjects(state.catalogue, () => state.urls.api);
  const guard = [infrastructureFaults('api', state), authenticate(state), admit(state)];

  router.get('/me', ...guard, (_req, res) => {
    const token = res.locals.accessToken as AccessToken;
    const user = state.listeners.get(token.grant.userId)!;
    sendJson(res, 200, objects.privateUser(user, token.grant.scopes), state);
  });

  router.get('/me/player/recently-played', ...guard, requireScope('user-read-recently-played', state), (req, res) => {
    const token = res.locals.accessToken as AccessToken;
    const query = parseRecentlyPlayedQuery(req.query as Record<string, unknown>);
    if ('problem' in query) return sendWebApiError(res, 400, query.problem, state);
    const { items, next } = sliceRecentlyPlayed(state.listeners.retrievable(token.grant.userId), query);
    const base = `${state.urls.api}/me/player/recently-played`;
    const search = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
    const nextParams = next && new URLSearchParams({ ...('after' in next ? { after: String(next.after) } : { before: String(next.before) }), limit: String(query.limit) });
    sendJson(
      res,
      200,
      {
        items: items.map((play) => objects.playHistory(play)),
        next: nextParams ? `${base}?${nextParams}` : null,
        cursors: items.length > 0 ? { after: String(items[0]!.playedAtMs), before: String(items[items.length - 1]!.playedAtMs) } : null,
        limit: query.limit,
        href: base + search,
      },
      state,
    );
  });

  router.get('/tracks/:id', ...guard, (req, res) => {
    const id = String(req.params.id);
    if (!isSpotifyId(id)) return sendWebApiError(res, 400, 'Invalid base62 id', state);
    const track = state.catalogue.tracks.get(id);
    if (!track) return sendWebApiError(res, 404, 'Resource not found', state);
    sendJson(res, 200, objects.track(track), state);
  });

  router.use((_req, res) => sendWebApiError(res, 404, 'Service not found', state));
  return router;
}

/** Bearer token check with Spotify's messages. */
function authenticate(state: EmulatorState) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers.authorization;
    if (!header) return sendWebApiError(res, 401, 'No token provided', state);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return sendWebApiError(res, 400, 'Only valid bearer authentication supported', state);
    const check = state.tokens.checkAccessToken(match[1]!);
    if (!check.ok) {
      const message = check.reason === 'expired' ? 'The access token expired' : 'Invalid access token';
      res.set('www-authenticate', `Bearer realm="spotify", error="invalid_token", error_description="${message}"`);
      return sendWebApiError(res, 401, message, state);
    }
    res.locals.accessToken = check.token;
    res.locals.userId = check.token.grant.userId;
    next();
  };
}

/** Rolling-window rate limit and daily quota of the token's client (or a scripted 429). */
function admit(state: EmulatorState) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const scripted = res.locals.scriptedLimit as ScriptedFault | undefined;
    const token = res.locals.accessToken as AccessToken;
    const verdict = scripted
      ? { kind: scripted.kind as 'rate_limited' | 'quota_exceeded', retryAfterSeconds: scripted.retryAfterSeconds }
      : state.faults.admit(token.grant.clientId);
    if (!verdict) return next();
    state.stats.countFault(verdict.kind);
    res.set('retry-after', String(verdict.retryAfterSeconds));
    if (verdict.kind === 'quota_exceeded') {
      sendWebApiError(res, 429, 'Daily request quota exceeded for this app', state, { reason: 'QUOTA_EXCEEDED' });
    } else {
      sendWebApiError(res, 429, 'API rate limit exceeded', state);
    }
  };
}

function requireScope(scope: string, state: EmulatorState) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const token = res.locals.accessToken as AccessToken;
    if (!token.grant.scopes.includes(scope)) return sendWebApiError(res, 403, 'Insufficient client scope', state);
    next();
  };
}
