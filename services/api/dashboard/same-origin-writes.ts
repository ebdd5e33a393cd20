import type { NextFunction, Request, Response } from 'express';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses requests that change something (any method but GET, HEAD and OPTIONS) sent by a page of
 * another origin. A browser caches basic-auth credentials and sends them with any request to the
 * dashboard, a cross-site one included (a `text/plain` POST needs no preflight): the `Origin` header,
 * which browsers send with every such request and pages cannot forge, must name the dashboard's own
 * host (or PUBLIC_URL's). `Sec-Fetch-Site` is checked as well when there is no `Origin`. Clients that
 * are not browsers (curl, scripts) send neither and are let through to the password check.
 */
export function sameOriginWrites(options: { publicUrl?: string | undefined }) {
  const publicOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (READS.has(req.method) || isSameOrigin(req, publicOrigin)) return next();
    res.status(403).set('Cache-Control', 'no-store').type('text/plain').send('The job dashboard refuses changes requested by another site.\n');
  };
}

function isSameOrigin(req: Request, publicOrigin: string | undefined): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) {
    const site = req.headers['sec-fetch-site'];
    return site === undefined || site === 'same-origin' || site === 'none';
  }
  if (publicOrigin !== undefined && origin === publicOrigin) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    // `null` (a sandboxed frame, a file) or garbage: not the dashboard.
    return false;
  }
  return host !== '' && host === req.headers.host;
}
