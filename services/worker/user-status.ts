import type { QueryResult } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { UserStatus } from '../shared/db/entities/user.entity.js';

/** The user's status, or null when the user no longer exists (deleted their account). */
export async function loadUserStatus(em: EntityManager, userId: string): Promise<UserStatus | null> {
  const rows: Array<{ status: UserStatus }> = await em.getConnection().execute('select status from users where id = ?', [userId], 'all', em.getTransactionContext());
  return rows[0]?.status ?? null;
}

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
