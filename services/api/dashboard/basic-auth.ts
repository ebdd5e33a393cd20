import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * HTTP basic auth for one fixed user. Name and password are compared as SHA-256 digests with
 * timingSafeEqual, so neither the comparison time nor an early exit tells how much of a guess was right.
 * Every refusal is the same 401 with a `WWW-Authenticate` challenge, so browsers ask for a login.
 */
export function basicAuth(options: { username: string; password: string; realm: string }) {
  const expectedUser = digest(options.username);
  const expectedPassword = digest(options.password);
  const challenge = `Basic realm="${options.realm.replace(/"/g, '')}", charset="UTF-8"`;

  return (req: Request, res: Response, next: NextFunction): void => {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
    const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    // Both comparisons always run: a right name with a wrong password costs the same as two wrong ones.
    const userOk = timingSafeEqual(digest(colon === -1 ? '' : decoded.slice(0, colon)), expectedUser);
    const passwordOk = timingSafeEqual(digest(colon === -1 ? '' : decoded.slice(colon + 1)), expectedPassword);
    if (match && colon !== -1 && userOk && passwordOk) {
      next();
      return;
    }
    res.status(401).set('WWW-Authenticate', challenge).set('Cache-Control', 'no-store').type('text/plain').send('Authentication required.\n');
  };
}
