import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../shared/logging/logger.js';

/**
 * Gives every request an id (a caller's `X-Request-Id` when it is a sane one, else a new UUID), echoes it
 * in the response header and hands a child logger carrying it to everything that handles the request.
 * One access-log line per request: method, path (never the query string: /auth/callback's carries the
 * authorization code), status and duration, and what its handler added (addToAccessLog): one line, not two.
 */
export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && /^[A-Za-z0-9._-]{8,128}$/.test(incoming) ? incoming : randomUUID();
    const log = logger.child({ requestId });
    res.locals.requestId = requestId;
    res.locals.logger = log;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const path = req.originalUrl.split('?')[0];
      const level = res.statusCode >= 500 ? 'error' : path === '/healthz' || path === '/readyz' ? 'debug' : 'info';
      const added = res.locals.accessLogFields as Record<string, unknown> | undefined;
      log[level]({ ...added, method: req.method, path, status: res.statusCode, durationMs: Math.round(durationMs * 10) / 10 }, 'request');
    });
    next();
  };
}

export function requestIdOf(res: Response): string {
  return String(res.locals.requestId ?? 'unknown');
}

/** Fields for the request's access-log line (what the request did: e.g. how many listens it stored). */
export function addToAccessLog(res: Response, fields: Record<string, unknown>): void {
  res.locals.accessLogFields = { ...(res.locals.accessLogFields as Record<string, unknown> | undefined), ...fields };
}

export function requestLogger(res: Response): Logger {
  return res.locals.logger as Logger;
}
