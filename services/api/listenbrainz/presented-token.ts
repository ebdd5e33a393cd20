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
