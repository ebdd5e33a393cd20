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

export const tokenOwnersStatement = defineStatement({
  name: 'listenbrainz_token_owners',
  purpose: [
    'Whose API tokens these are, by their hashes (the unique index), with each listener’s name and status and when the token',
    'was last used: every ListenBrainz request starts with it, and the API looks up the tokens of the requests that arrive',
    'together at once (one round trip for them all); no entity is built.',
  ].join(' '),
  sql: `
select t.token_hash, t.id as token_id, t.last_used_at, u.id as user_id, u.spotify_user_id, u.status
  from api_tokens t join users u on u.id = t.user_id
 where t.token_hash = any(?::text[])`,
  row: z.object({ token_hash: z.string(), token_id: z.string(), last_used_at: timestamp.nullable(), user_id: z.string(), spotify_user_id: z.string(), status: z.string() }),
});

/** The owner of each token hash that is (still) a token, by hash; the tokens' last-used times brought up to date. */
export async function ownersOfApiTokenHashes(em: EntityManager, hashes: readonly string[], now = new Date()): Promise<Map<string, TokenOwner>> {
  const owners = new Map<string, TokenOwner>();
  if (hashes.length === 0) return owners;
  const rows = await runStatement(em, tokenOwnersStatement, [[...new Set(hashes)]]);
  // Only the stale ones, and without reading them back: a scrobble does not wait on a write it does not need.
  const stale = rows.filter((row) => !row.last_used_at || now.getTime() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS).map((row) => row.token_id);
  if (stale.length > 0) await em.nativeUpdate(ApiToken, { id: { $in: stale } }, { lastUsedAt: now });
  for (const row of rows) owners.set(row.token_hash, { tokenId: row.token_id, userId: row.user_id, userName: row.spotify_user_id, userStatus: row.status });
  return owners;
}

/** Whose token this is; null for a token that is not (or no longer) valid. */
export async function ownerOfApiToken(em: EntityManager, token: string, now = new Date()): Promise<TokenOwner | null> {
  const hash = hashApiToken(token);
  return (await ownersOfApiTokenHashes(em, [hash], now)).get(hash) ?? null;
}
