import { raw } from '@mikro-orm/core';
import { ForeignKeyConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { TokenCipher } from '../../../shared/crypto/token-cipher.js';
import { PollState } from './poll-state.entity.js';
import { User, USER_STATUSES, type UserStatus } from '../../accounts/data/user.entity.js';
import { bigintNumber, defineStatement, runStatement, timestamp } from '../../../shared/db/statements/statement.js';
import { decryptCredentials, type StoredCredentials } from '../../accounts/data/credentials.repository.js';

/**
 * Where polling of each user stands (`poll_state`), outside the ingest statement, which advances the
 * cursor itself and records the success of a poll whose last page has plays.
 */

/** What a poll needs to start: the user's status, their tokens and where the last poll stopped. */
export interface PollContext {
  status: UserStatus;
  /** Null when no tokens are stored (the user must log in again). */
  credentials: StoredCredentials | null;
  /** Unix ms of the newest play stored from polling; null before the first successful poll. */
  afterCursorMs: number | null;
  /** When the user's last poll succeeded; null before the first (the worker's poll-lag histogram). */
  lastSuccessAt: Date | null;
}

export const loadPollContextStatement = defineStatement({
  name: 'poll_load_context',
  purpose:
    'The start of every poll (one per user per interval, measured by the poll-cycle benchmark): the user’s status, encrypted tokens, cursor and last success in one prepared select, where three reads by the same id would cost two more round trips.',
  sql: `
select u.status, sc.user_id is not null as has_credentials,
       sc.access_token_encrypted, sc.refresh_token_encrypted, sc.access_token_expires_at, sc.scopes, sc.authorized_at,
       ps.after_cursor_ms, ps.last_success_at
  from users u
  left join spotify_credentials sc on sc.user_id = u.id
  left join poll_state ps on ps.user_id = u.id
 where u.id = ?`,
  row: z.object({
    status: z.enum(USER_STATUSES),
    has_credentials: z.boolean(),
    access_token_encrypted: z.string().nullable(),
    refresh_token_encrypted: z.string().nullable(),
    access_token_expires_at: timestamp.nullable(),
    scopes: z.array(z.string()).nullable(),
    authorized_at: timestamp.nullable(),
    after_cursor_ms: bigintNumber.nullable(),
    last_success_at: timestamp.nullable(),
  }),
});

/** What a poll starts from; null when the user no longer exists. */
export async function loadPollContext(em: EntityManager, cipher: TokenCipher, userId: string): Promise<PollContext | null> {
  const [row] = await runStatement(em, loadPollContextStatement, [userId]);
  if (!row) return null;
  const stored =
    row.has_credentials && row.access_token_encrypted !== null && row.refresh_token_encrypted !== null && row.access_token_expires_at !== null && row.authorized_at !== null
      ? {
          accessTokenEncrypted: row.access_token_encrypted,
          refreshTokenEncrypted: row.refresh_token_encrypted,
          accessTokenExpiresAt: row.access_token_expires_at,
          scopes: row.scopes ?? [],
          authorizedAt: row.authorized_at,
        }
      : null;
  return { status: row.status, credentials: stored && decryptCredentials(cipher, userId, stored), afterCursorMs: row.after_cursor_ms, lastSuccessAt: row.last_success_at };
}

export const recordPollSuccessStatement = defineStatement({
  name: 'poll_record_success',
  purpose:
    'A poll that ended with an empty last page (otherwise the ingest statement records it): its time, and the failure streak ends; the last error stays for inspection. Most polls of a steady state end so (poll-cycle benchmark), hence one prepared upsert that writes nothing for a user deleted meanwhile.',
  sql: `
insert into poll_state (user_id, last_polled_at, last_success_at, consecutive_failures)
select ?::uuid, ?::timestamptz, ?::timestamptz, 0 where exists (select 1 from users where id = ?::uuid)
on conflict (user_id) do update set last_polled_at = excluded.last_polled_at, last_success_at = excluded.last_success_at, consecutive_failures = 0`,
  row: z.never(),
});

export async function recordPollSuccess(em: EntityManager, userId: string, at: Date): Promise<void> {
  await runStatement(em, recordPollSuccessStatement, [userId, at.toISOString(), at.toISOString(), userId]);
}

/** A poll attempt that failed, with an operator-readable message (never a secret). A user deleted meanwhile is left alone. */
export async function recordPollFailure(em: EntityManager, userId: string, at: Date, message: string): Promise<void> {
  try {
    // An upsert whose streak is counted in Postgres: two failed attempts of one user at once both count.
    await em
      .createQueryBuilder(PollState)
      .insert({ user: userId, lastPolledAt: at, lastErrorAt: at, lastError: message.slice(0, 2000), consecutiveFailures: 1 })
      .onConflict('user')
      .merge({ lastPolledAt: at, lastErrorAt: at, lastError: message.slice(0, 2000), consecutiveFailures: raw(`"poll_state"."consecutive_failures" + 1`) })
      .execute();
  } catch (error) {
    if (!(error instanceof ForeignKeyConstraintViolationException)) throw error;
  }
}

export interface SchedulableUser {
  id: string;
  lastPolledAt: Date | null;
}

/**
 * One page of active users in id order, after `afterId` (a keyset scan on users_status_id_index), with
 * when they were last polled. Never loads all users: the scheduler walks the pages. Plain rows, no
 * entities: the scan is read-only and touches every user.
 */
export async function findActiveUsersPage(em: EntityManager, afterId: string | null, limit: number): Promise<SchedulableUser[]> {
  const rows = (await em
    .createQueryBuilder(User, 'u')
    .select(['u.id', 'ps.last_polled_at'])
    .leftJoin('u.pollState', 'ps')
    .where({ status: 'active', ...(afterId ? { id: { $gt: afterId } } : {}) })
    .orderBy({ id: 'asc' })
    .limit(limit)
    .execute('all', false)) as Array<{ id: string; last_polled_at: Date | string | null }>;
  return rows.map((row) => ({ id: row.id, lastPolledAt: row.last_polled_at === null ? null : new Date(row.last_polled_at) }));
}

/** Users whose poll has succeeded at least once (the first, backfilling poll). */
export function countUsersEverPolled(em: EntityManager): Promise<number> {
  return em.count(PollState, { lastSuccessAt: { $ne: null } });
}

/** Active users whose last successful poll is at or after `since`. */
export function countActiveUsersPolledSince(em: EntityManager, since: Date): Promise<number> {
  return em.count(PollState, { lastSuccessAt: { $gte: since }, user: { status: 'active' } });
}

/** Makes sure the user has a poll_state row (the scheduler and `me.lastSuccessfulPoll` read it). */
export async function ensurePollState(em: EntityManager, userId: string): Promise<void> {
  await em.createQueryBuilder(PollState).insert({ user: userId }).onConflict('user').ignore().execute();
}
