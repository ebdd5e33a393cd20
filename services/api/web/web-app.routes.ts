import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { WEB_APP_PAGE } from '../metrics/http-metrics.js';

export interface WebAppOptions {
  /** The built app (WEB_DIST_DIR): index.html and assets/ with content-hashed names. */
  distDir: string;
  /** Paths the app never answers, however a browser asks for them (the API's own routes). */
  reservedPrefixes: readonly string[];
}

export interface WebApp {
  router: Router;
  /** Whether a built app was found at start-up (otherwise `GET /` keeps answering JSON). */
  served: boolean;
  /** Sends the app's page (for `GET /` asked for by a browser). */
  sendIndex(res: Response): void;
}

const YEAR_SECONDS = 365 * 24 * 60 * 60;

/**
 * What the app's page may load: its own scripts, styles and API only, album art from any https host (the
 * catalogue's image URLs are Spotify's), and no framing. The built app has no inline script; React and
 * ECharts set styles from script, which style-src 'unsafe-inline' allows.
 */
export const WEB_APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The listeners' web app (services/web, built by `npm run web:build`), served by the API so that the
 * session cookie of /auth/login is the app's. Hashed assets are cached for a year; index.html is never
 * cached (a new deployment's assets are found at once); any other GET a browser makes for a page gets
 * index.html (the app routes in the browser), except the API's own paths, which keep their answers.
 */
export function webAppRoutes(options: WebAppOptions): WebApp {
  const router = Router();
  const indexPath = join(options.distDir, 'index.html');
  const served = existsSync(indexPath);
  const index = served ? readFileSync(indexPath) : null;
  const sendIndex = (res: Response) => {
    res.locals.route = WEB_APP_PAGE;
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Security-Policy', WEB_APP_CSP);
    res.setHeader('Referrer-Policy', 'same-origin');
    res.type('html').send(index);
  };
  if (!served) return { router, served, sendIndex };

  router.use(
    '/assets',
    express.static(join(options.distDir, 'assets'), { immutable: true, maxAge: YEAR_SECONDS * 1000, index: false }),
  );
  router.use(
    express.static(options.distDir, {
      index: false,
      maxAge: 60 * 60 * 1000,
      setHeaders: (res, path) => {
        if (!path.endsWith('.html')) return;
        res.setHeader('Cache-Control', 'no-cache');
        res.setHeader('Content-Security-Policy', WEB_APP_CSP);
      },
    }),
  );
  router.use((req: Request, res: Response, next: NextFunction) => {
    const reserved = ['/assets', ...options.reservedPrefixes].some((prefix) => req.path === prefix || req.path.startsWith(`${prefix}/`));
    if ((req.method !== 'GET' && req.method !== 'HEAD') || reserved || req.path === '/' || !wantsPage(req)) return next();
    sendIndex(res);
  });
  return { router, served, sendIndex };
}

/** A browser navigating to a page asks for HTML first; programs (fetch, curl, GraphQL clients) do not. */
export function wantsPage(req: Request): boolean {
  return req.accepts(['json', 'html']) === 'html';
}
