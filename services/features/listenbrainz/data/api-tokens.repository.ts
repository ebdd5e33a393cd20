import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { User } from '../../accounts/data/user.entity.js';
import { defineStatement, runStatement, timestamp } from '../../../shared/db/statements/statement.js';
import { hashApiToken, newApiTokenSecret } from '../api-token-secret.js';
import { ApiToken } from './api-token.entity.js';

/** Most tokens one listener may hold: one per player is the use, and every token is a way in. */
export const MAX_API_TOKENS_PER_USER = 25;

/** How stale a token's last-used time may be: recorded at most this often, not a write per scrobble. */
const LAST_USED_RESOLUTION_MS = 60_000;

export class TooManyApiTokensError extends Error {
  constructor() {
    super(`You have ${MAX_API_TOKENS_PER_USER} API tokens already: revoke one you no longer use first.`);
    this.name = 'TooManyApiTokensError';
  }
}

/** Makes a token for the listener's player; returns the row and the token itself, which is not kept. */
export async function createApiToken(em: EntityManager, userId: string, name: string): Promise<{ token: string; row: ApiToken }> {
  const held = await em.count(ApiToken, { user: userId });
  if (held >= MAX_API_TOKENS_PER_USER) throw new TooManyApiTokensError();
  const token = newApiTokenSecret();
  const row = em.create(ApiToken, { user: em.getReference(User, userId), name, tokenHash: hashApiToken(token), createdAt: new Date(), lastUsedAt: null });
  await em.persistAndFlush(row);
  return { token, row };
}

/** The listener's tokens, newest first. */
export const apiTokensOf = (em: EntityManager, userId: string): Promise<ApiToken[]> => em.find(ApiToken, { user: userId }, { orderBy: { createdAt: 'desc', id: 'asc' } });

/** Revokes one of the listener's tokens at once (the row goes); false when they hold no such token. */
export async function revokeApiToken(em: EntityManager, userId: string, tokenId: string): Promise<boolean> {
  const deleted = await em.nativeDelete(ApiToken, { id: tokenId, user: userId });
  return deleted > 0;
}

/** Whose token this is, with the name players know them by; null for a token that is not (or no longer) valid. */
export interface TokenOwner {
  tokenId: string;
  userId: string;
  userName: string;
  userStatus: string;
}

export const tokenOwnerStatement = defineStatement({
  name: 'listenbrainz_token_owner',
  purpose: [
    'Whose API token this is, by its hash (the unique index), with the listener’s name and status and when the token was',
    'last used: every ListenBrainz request starts with it, so it is one round trip and no entity is built.',
  ].join(' '),
  sql: `
select t.id as token_id, t.last_used_at, u.id as user_id, u.spotify_user_id, u.status
  from api_tokens t join users u on u.id = t.user_id
 where t.token_hash = ?`,
  row: z.object({ token_id: z.string(), last_used_at: timestamp.nullable(), user_id: z.string(), spotify_user_id: z.string(), status: z.string() }),
});

export async function ownerOfApiToken(em: EntityManager, token: string, now = new Date()): Promise<TokenOwner | null> {
  const [row] = await runStatement(em, tokenOwnerStatement, [hashApiToken(token)]);
  if (!row) return null;
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Only when stale, and without reading it back: a scrobble does not wait on a write it does not need.
    await em.nativeUpdate(ApiToken, { id: row.token_id }, { lastUsedAt: now });
  }
  return { tokenId: row.token_id, userId: row.user_id, userName: row.spotify_user_id, userStatus: row.status };
}
