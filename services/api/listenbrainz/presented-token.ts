import type { Request } from 'express';

/**
 * The token a player presents: `Authorization: Token <t>` as ListenBrainz documents it, `token <t>` as
 * some players write it (ListenBrainz reads the second word whatever the first), and — for validate-token
 * only, as ListenBrainz allows for old clients — `?token=`.
 */
export function presentedToken(req: Request, options: { queryParameter: boolean } = { queryParameter: false }): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const [, token] = header.trim().split(/\s+/, 2);
    return token === undefined || token === '' ? '' : token;
  }
  if (options.queryParameter && typeof req.query.token === 'string') return req.query.token;
  return undefined;
}

const API_TOKEN_SHAPE = /^plg_[A-Za-z0-9_-]{43}$/;

/**
 * The tokens a presented one may stand for: itself, and — for Jellyfin's ListenBrainz plugin, whose reads send
 * the token in the base64 form it stores it in — what it decodes to when that is the shape of a Playlog token.
 */
export function tokenCandidates(token: string): string[] {
  if (API_TOKEN_SHAPE.test(token)) return [token];
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  return API_TOKEN_SHAPE.test(decoded) ? [token, decoded] : [token];
}
