import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Session } from './session.entity.js';
import { USER_STATUSES, type UserStatus } from './user.entity.js';
import { defineStatement, runStatement, timestamp } from '../../../shared/db/statements/statement.js';

/** API sessions. Only the SHA-256 of a session token reaches the database (see services/api/auth/session-token.ts). */

export interface ActiveSession {
  sessionId: string;
  userId: string;
  userStatus: UserStatus;
  expiresAt: Date;
}

export const findActiveSessionStatement = defineStatement({
  name: 'sessions_find_active',
  purpose:
    'The session a token hash opens, with its user’s status, when neither expired nor revoked. Every authenticated request runs it (the history benchmark measures it with each page), so it is one prepared, indexed select.',
  sql: `
select s.id, s.user_id, u.status, s.expires_at
  from sessions s join users u on u.id = s.user_id
 where s.token_hash = ? and s.revoked_at is null and s.expires_at > now()`,
  row: z.object({ id: z.string(), user_id: z.string(), status: z.enum(USER_STATUSES), expires_at: timestamp }),
});

export async function createSession(em: EntityManager, session: { userId: string; tokenHash: string; expiresAt: Date }): Promise<{ sessionId: string }> {
  const created = em.create(Session, { id: randomUUID(), user: session.userId, tokenHash: session.tokenHash, createdAt: new Date(), expiresAt: session.expiresAt, revokedAt: null });
  await em.persist(created).flush();
  return { sessionId: created.id };
}

/** The session this token hash opens, if it is neither expired nor revoked. */
export async function findActiveSession(em: EntityManager, tokenHash: string): Promise<ActiveSession | null> {
  const [row] = await runStatement(em, findActiveSessionStatement, [tokenHash]);
  return row ? { sessionId: row.id, userId: row.user_id, userStatus: row.status, expiresAt: row.expires_at } : null;
}

/** Revokes one session (logout) and says when it was revoked; revoking twice is harmless (the first instant stays). */
export async function revokeSession(em: EntityManager, sessionId: string): Promise<Date> {
  const now = new Date();
  // One conditional statement, not load-and-flush: of two logouts at once, the first instant must stay.
  if ((await em.nativeUpdate(Session, { id: sessionId, revokedAt: null }, { revokedAt: now })) > 0) return now;
  const revoked = await em.findOne(Session, sessionId, { fields: ['revokedAt'], refresh: true });
  return revoked?.revokedAt ?? now;
}

/** Sessions of a user that still open something (neither expired nor revoked). */
export function countActiveSessions(em: EntityManager, userId: string): Promise<number> {
  return em.count(Session, { user: userId, revokedAt: null, expiresAt: { $gt: new Date() } });
}

/**
 * Deletes sessions that expired or were revoked more than `keepDays` ago (the scheduler's housekeeping);
 * they can never open anything again. Returns how many went.
 */
export function deleteStaleSessions(em: EntityManager, keepDays: number): Promise<number> {
  const cutoff = new Date(Date.now() - keepDays * 86_400_000);
  // A retention sweep of rows nobody loaded: one statement.
  return em.nativeDelete(Session, { $or: [{ expiresAt: { $lt: cutoff } }, { revokedAt: { $lt: cutoff } }] });
}
