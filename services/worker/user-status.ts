import type { QueryResult } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * The user must log in again: the scheduler stops polling them until they do (the API's login sets
 * them active again). Only an active user changes: a disabled one stays disabled. Returns whether it changed.
 */
export async function markReauthRequired(em: EntityManager, userId: string): Promise<boolean> {
  const result = await em
    .getConnection()
    .execute<QueryResult>(`update users set status = 'reauth_required', updated_at = now() where id = ? and status = 'active'`, [userId], 'run', em.getTransactionContext());
  return result.affectedRows > 0;
}
