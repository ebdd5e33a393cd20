import { createHash, randomBytes } from 'node:crypto';

/** What marks a Playlog API token: a listener who pastes a session token into a player is told what they pasted. */
export const API_TOKEN_PREFIX = 'plg_';

/** A new API token: the prefix and 32 random bytes, base64url. Shown to its listener once; only its hash is kept. */
export const newApiTokenSecret = (): string => `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;

/** The SHA-256 of a token, hex: what the database keeps and looks a presented token up by. */
export const hashApiToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');
