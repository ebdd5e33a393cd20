import type { NextFunction, Request, Response } from 'express';
import type { ApiMetrics } from './api-metrics.js';

/**
 * The route label of a request: one of Playlog's own paths, so a scanner probing random URLs adds no
 * series. Paths under a mounted prefix (the dashboard, GraphiQL's assets) count as the prefix.
 */
export function routeOf(path: string, dashboardPath: string): string {
  const exact = ['/', '/graphql', '/healthz', '/readyz', '/auth/login', '/auth/callback', '/imports', '/graphiql'];
  if (exact.includes(path)) return path;
  if (path.startsWith('/graphiql/')) return '/graphiql/:asset';
  if (path.startsWith('/assets/')) return '/assets/:file';
  if (path === dashboardPath || path.startsWith(`${dashboardPath}/`)) return dashboardPath;
  return listenBrainzRouteOf(path) ?? 'unmatched';
}

const LISTENBRAINZ_ENDPOINTS: Array<[RegExp, string]> = [
  [/^submit-listens$/, 'submit-listens'],
  [/^validate-token$/, 'validate-token'],
  [/^user\/[^/]+\/(listens|listen-count|playing-now)$/, 'user/:user/$1'],
  [/^stats\/user\/[^/]+\/(artists|releases|recordings|listening-activity)$/, 'stats/user/:user/$1'],
];

/**
 * A ListenBrainz API path, whichever of its bases a player uses (`/listenbrainz/1/`, `/listenbrainz/`, `/1/`),
 * as one label per endpoint with the user name left out: `/listenbrainz/1/user/:user/listens`.
 */
function listenBrainzRouteOf(path: string): string | null {
  const rest = /^(?:\/listenbrainz(?:\/1)?|\/1)(?:\/(.*))?$/.exec(path);
  if (!rest) return null;
  const endpoint = rest[1] ?? '';
  for (const [pattern, label] of LISTENBRAINZ_ENDPOINTS) if (pattern.test(endpoint)) return `/listenbrainz/1/${endpoint.replace(pattern, label)}`;
  return '/listenbrainz/:other';
}

/** The route label of the web app's page, whatever path the browser asked it at. */
export const WEB_APP_PAGE = '(web app page)';

/** Times every request of the public port, labelled by route, method and status. */
export function httpMetrics(metrics: ApiMetrics, dashboardPath: string) {
  const methods = new Set(['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH']);
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const path = req.originalUrl.split('?')[0] ?? '/';
      // A page of the web app (any path a browser navigates to) names itself: its paths are the browser's.
      const route = res.locals.route === WEB_APP_PAGE ? WEB_APP_PAGE : routeOf(path.length > 1 ? path.replace(/\/+$/, '') : path, dashboardPath);
      metrics.request(route, methods.has(req.method) ? req.method : 'other', res.statusCode, seconds);
    });
    next();
  };
}
