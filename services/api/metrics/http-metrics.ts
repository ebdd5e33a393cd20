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
  return 'unmatched';
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
