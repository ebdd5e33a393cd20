import type { EntityManager } from '@mikro-orm/postgresql';
import type { UserStatus } from './entities/user.entity.js';

/**
 * API sessions. Only the SHA-256 of a session token reaches the database (see services/api/auth/session-token.ts).
 * Raw SQL: the session lookup runs on every authenticated request and is one indexed select.
 */

export interface ActiveSession {
  sessionId: string;
  userId: string;
  userStatus: UserStatus;
  expiresAt: Date;
}

export async function createSession(em: EntityManager, session: { userId: string; tokenHash: string; expiresAt: Date }): Promise<{ sessionId: string }> {
  const rows: Array<{ id: string }> = await em.getConnection().execute(
    `insert into sessions (id, user_id, token_hash, created_at, expires_at) values (gen_random_uuid(), ?, ?, now(), ?) returning id`,
    [session.userId, session.tokenHash, session.expiresAt.toISOString()],
    'all',
    em.getTransactionContext(),
  );
  return { sessionId: rows[0]!.id };
}

/** The session this token hash opens, if it is neither expired nor revoked. */
export async function findActiveSession(em: EntityManager, tokenHash: string): Promise<ActiveSession | null> {
  const rows: Array<{ id: string; user_id: string; status: UserStatus; expires_at: Date }> = await em.getConnection().execute(
    `select s.id, s.user_id, u.status, s.expires_at
       from sessions s join users u on u.id = s.user_id
      where s.token_hash = ? and s.revoked_at is null and s.expires_at > now()`,
    [tokenHash],
    'all',
    em.getTransactionContext(),
  );
  const row = rows[0];
  return row ? { sessionId: row.id, userId: row.user_id, userStatus: row.status, expiresAt: new Date(row.expires_at) } : null;
}

/** Revokes one session (logout); revoking twice is harmless. */
export async function revokeSession(em: EntityManager, sessionId: string): Promise<void> {
  await em
    .getConnection()
    .execute('update sessions set revoked_at = now() where id = ? and revoked_at is null', [sessionId], 'run', em.getTransactionContext());
}


/**
 * Deletes sessions that expired or were revoked more than `keepDays` ago (the scheduler's housekeeping);
 * they can never open anything again. Returns how many went.
 */
export async function deleteStaleSessions(em: EntityManager, keepDays: number): Promise<number> {
  const rows: Array<{ count: string }> = await em.getConnection().execute(
    `with gone as (
       delete from sessions
        where expires_at < now() - make_interval(days => ?) or revoked_at < now() - make_interval(days => ?)
       returning 1)
     select count(*) as count from gone`,
    [keepDays, keepDays],
    'all',
    em.getTransactionContext(),
  );
  return Number(rows[0]?.count ?? 0);
}
