import type { NextFunction, Request, Response } from 'express';
import type { EmulatorState } from './emulator-state.js';

/** A stable label per endpoint, so counters do not grow with ids in paths. */
export function endpointLabel(method: string, path: string): string {
  const normalised = path
    .replace(/^\/v1\/tracks\/[^/]+$/, '/v1/tracks/{id}')
    .replace(/^\/admin\/users\/[^/]+/, '/admin/users/{id}')
    .replace(/\/+$/, '');
  const known = /^\/(v1\/me(\/player\/recently-played)?|v1\/tracks\/\{id\}|accounts\/authorize|accounts\/api\/token|healthz|admin.*)$/.test(normalised);
  return `${method} ${known ? normalised : normalised.startsWith('/v1') ? '/v1/*' : '/*'}`;
}

/** Counts every request by endpoint and status (or "reset" / "timeout" when none was sent) and logs it at debug. */
export function requestAccounting(state: EmulatorState) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = Date.now();
    const endpoint = endpointLabel(req.method, req.path);
    let counted = false;
    const count = () => {
      if (counted) return;
      counted = true;
      const status = res.writableFinished ? String(res.statusCode) : String(res.locals.noAnswer ?? 'aborted');
      if (!endpoint.includes('/admin')) state.stats.countRequest(endpoint, status, res.locals.userId as string | undefined);
      // Only the path: query strings and bodies carry codes, verifiers and tokens.
      state.logger.debug({ endpoint, status, ms: Date.now() - started }, 'request');
    };
    res.on('finish', count);
    res.on('close', count);
    next();
  };
}
