import { Router, type Request, type Response } from 'express';
import { AppError } from '../app-error.js';
import { httpStatusOf } from '../http/error-handler.js';
import { requestIdOf, requestLogger } from '../http/request-context.js';
import { readCookie } from './session-credentials.js';
import type { SessionCookie } from './session-cookie.js';
import type { SpotifyLogin } from './spotify-login.js';

export interface AuthRoutesDeps {
  login: SpotifyLogin;
  sessionCookie: SessionCookie;
  /** LOGIN_REDIRECT_URL */
  redirectAfterLogin: string;
  loginStateTtlSeconds: number;
  secureCookies: boolean;
  /** The web app's page that explains a failed login to a browser (`?error=<code>`); without one, a short HTML page does. */
  failurePage?: string;
}

/** Browser-bound login state: the callback must come back to the browser that started the login. */
const LOGIN_COOKIE = 'playlog_login_state';

/**
 * Login with a browser alone: `GET /auth/login` redirects to Spotify, Spotify redirects back to
 * `GET /auth/callback?code&state`, which sets the HttpOnly session cookie and redirects to
 * LOGIN_REDIRECT_URL. The state is also kept in a short-lived cookie of the browser that started the
 * login, and the callback refuses a state that browser did not start (login CSRF). Failures answer
 * with a status, a stable code and a sentence (HTML for browsers, JSON for programs); nothing is stored.
 */
export function authRoutes(deps: AuthRoutesDeps): Router {
  const router = Router();
  const loginCookieOptions = { httpOnly: true, secure: deps.secureCookies, sameSite: 'lax' as const, path: '/auth' };

  router.use((_req, res, next) => {
    // Nothing here may be cached, and the callback URL (it carries the code) must not leak as a Referer.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });

  router.get('/login', async (_req, res) => {
    const started = await deps.login.start('browser');
    res.cookie(LOGIN_COOKIE, started.state, { ...loginCookieOptions, maxAge: deps.loginStateTtlSeconds * 1000 });
    res.redirect(302, started.authorizationUrl);
  });

  router.get('/callback', async (req, res) => {
    res.clearCookie(LOGIN_COOKIE, loginCookieOptions);
    try {
      const state = singleParam(req, 'state');
      const code = singleParam(req, 'code');
      const error = singleParam(req, 'error');
      if (state === undefined) throw deps.login.refused(new AppError('LOGIN_STATE_INVALID', 'The callback has no state: start the login again at /auth/login.'));
      if (readCookie(req.headers.cookie, LOGIN_COOKIE) !== state) {
        throw deps.login.refused(new AppError(
          'LOGIN_STATE_INVALID',
          'This login was not started in this browser, or it expired: start again at /auth/login. ' +
            '(A login started with the startSpotifyLogin mutation is finished with completeSpotifyLogin, passing the code and state from this page’s address.)',
        ));
      }
      const session = await deps.login.complete('browser', { state, code: code ?? null, error: error ?? null, requestId: requestIdOf(res) });
      deps.sessionCookie.set(res, session.token, session.expiresAt);
      res.redirect(302, deps.redirectAfterLogin);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      requestLogger(res).info({ code: error.code }, 'browser login refused');
      answerError(res, httpStatusOf(error.code), error.code, error.message, deps.failurePage);
    }
  });

  return router;
}

/** A query parameter given once as plain text; repeated or nested ones are refused. */
function singleParam(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AppError('BAD_USER_INPUT', `The callback’s ${name} parameter must appear once.`);
  return value;
}

function answerError(res: Response, status: number, code: string, message: string, failurePage: string | undefined): void {
  res.status(status);
  res.format({
    html: () => {
      if (failurePage !== undefined) {
        res.redirect(303, `${failurePage}?${new URLSearchParams({ error: code, request: requestIdOf(res) }).toString()}`);
        return;
      }
      res.type('html').send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Playlog login</title></head>` +
          `<body><h1>Login did not complete</h1><p>${escapeHtml(message)}</p><p><a href="/auth/login">Start again</a></p>` +
          `<p><small>${escapeHtml(code)} · request ${escapeHtml(requestIdOf(res))}</small></p></body></html>`,
      );
    },
    json: () => {
      res.json({ errors: [{ message, extensions: { code, requestId: requestIdOf(res) } }] });
    },
    default: () => {
      res.json({ errors: [{ message, extensions: { code, requestId: requestIdOf(res) } }] });
    },
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
