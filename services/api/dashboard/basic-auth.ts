import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../shared/logging/logger.js';
import type { LoginAttempts, LoginVerdict } from './login-attempts.js';

const WARNING_INTERVAL_MS = 30_000;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export interface BasicAuthOptions {
  username: string;
  password: string;
  realm: string;
  /** Failed logins per client, limited. */
  attempts: LoginAttempts;
  /** Who a request comes from, as the limit counts them (the client IP). */
  clientOf: (req: Request) => string;
  logger?: Logger;
}

/**
 * HTTP basic auth for one fixed user. Name and password are compared as SHA-256 digests with
 * timingSafeEqual, so neither the comparison time nor an early exit tells how much of a guess was right.
 * Every wrong guess is the same 401 with a `WWW-Authenticate` challenge, so browsers ask for a login;
 * a client past DASHBOARD_LOGIN_ATTEMPTS failures gets 429 with Retry-After for every attempt, right or
 * wrong, until its window has passed (login-attempts.ts). Requests without credentials (a browser's
 * first request, before it asks for them) are challenged without counting.
 */
export function basicAuth(options: BasicAuthOptions) {
  const expectedUser = digest(options.username);
  const expectedPassword = digest(options.password);
  const challenge = `Basic realm="${options.realm.replace(/"/g, '')}", charset="UTF-8"`;
  const refuse = (res: Response) =>
    res.status(401).set('WWW-Authenticate', challenge).set('Cache-Control', 'no-store').type('text/plain').send('Authentication required.\n');

  // A guesser hammering away must not flood the log: one warning per interval at most.
  let lastWarning = 0;
  const warn = (message: string, fields: Record<string, unknown> = {}) => {
    if (Date.now() - lastWarning < WARNING_INTERVAL_MS) return;
    lastWarning = Date.now();
    options.logger?.warn(fields, message);
  };

  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    if (header === undefined) return void refuse(res);
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    // Both comparisons always run: a right name with a wrong password costs the same as two wrong ones.
    const userOk = timingSafeEqual(digest(colon === -1 ? '' : decoded.slice(0, colon)), expectedUser);
    const passwordOk = timingSafeEqual(digest(colon === -1 ? '' : decoded.slice(colon + 1)), expectedPassword);
    const right = match !== null && colon !== -1 && userOk && passwordOk;
    const client = options.clientOf(req);
    let verdict: LoginVerdict;
    try {
      verdict = right ? await options.attempts.check(client) : await options.attempts.fail(client);
    } catch (error) {
      warn('job dashboard refused a login: its failed-login counter in Redis cannot be reached', { err: error });
      return void res.status(503).set('Cache-Control', 'no-store').set('Retry-After', '5').type('text/plain').send('The job dashboard cannot check logins right now: Redis is unreachable.\n');
    }
    if (!verdict.allowed) {
      if (!right) warn('job dashboard: too many failed logins from one client; its logins are refused for a while');
      return void res
        .status(429)
        .set('Retry-After', String(verdict.retryAfterSeconds))
        .set('Cache-Control', 'no-store')
        .type('text/plain')
        .send(`Too many failed logins. Try again in ${verdict.retryAfterSeconds} s.\n`);
    }
    if (right) return next();
    refuse(res);
  };
}
