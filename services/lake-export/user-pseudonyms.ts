import { createHmac } from 'node:crypto';

/**
 * What the lake writes in place of a user id. Pseudonymous (the default): HMAC-SHA256 of the id under
 * LAKE_PSEUDONYM_KEY, in hex: the same user always gets the same pseudonym, so analysts can group and
 * join by it, but without the key it cannot be traced back to the account, even by trying every id.
 */
export type UserIdMode = { mode: 'pseudonymous'; key: string } | { mode: 'plain' };

export function userKeys(userIds: readonly string[], ids: UserIdMode): Map<string, string> {
  if (ids.mode === 'plain') return new Map(userIds.map((id) => [id, id]));
  return new Map(userIds.map((id) => [id, createHmac('sha256', ids.key).update(id).digest('hex')]));
}

/**
 * A fingerprint of how ids are written, kept in the manifest: when the mode or key changes, every
 * pseudonym changes, so the next lake run rewrites the whole lake. It reveals nothing of the key.
 */
export function userIdsFingerprint(ids: UserIdMode): string {
  if (ids.mode === 'plain') return 'plain';
  return `pseudonymous:${createHmac('sha256', ids.key).update('playlog lake key fingerprint').digest('hex').slice(0, 16)}`;
}
