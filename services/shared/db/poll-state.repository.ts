import type { EntityManager } from '@mikro-orm/postgresql';
import { runPrepared } from './run-prepared.js';

/**
 * Reads and writes of `poll_state` outside the ingest statement (which advances the cursor itself, and
 * records the success of a poll whose last page has plays).
 * Raw SQL through MikroORM's connection: each is one small upsert on a hot path, and the unit of work
 * would add a select per job for nothing.
 */

export interface SchedulableUser {
  id: string;
  lastPolledAt: Date | null;
}

/**
 * One page of active users in id order, after `afterId` (keyset scan on users_status_id_index), with
 * when they were last polled. Never loads all users: the scheduler walks the pages.
 */
export async function findActiveUsersPage(em: EntityManager, afterId: string | null, limit: number): Promise<SchedulableUser[]> {
  const rows: Array<{ id: string; last_polled_at: Date | string | null }> = await em.getConnection().execute(
    `select u.id, ps.last_polled_at
       from users u
       left join poll_state ps on ps.user_id = u.id
      where u.status = 'active' and u.id > coalesce(?::uuid, '00000000-0000-0000-0000-000000000000'::uuid)
      order by u.id
      limit ?`,
    [afterId, limit],
    'all',
    em.getTransactionContext(),
  );
  return rows.map((row) => ({ id: row.id, lastPolledAt: toDate(row.last_polled_at) }));
}

/** Raw queries through MikroORM return timestamptz as text; entities would get Dates. */
const toDate = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

/**
 * A poll that finished with an empty last page (otherwise the ingest statement records it): its time, and
 * the failure streak ends. The last error stays for inspection. Prepared: most polls of a steady state end so.
 */
export async function recordPollSuccess(em: EntityManager, userId: string, at: Date): Promise<void> {
  await runPrepared(
    em,
    'playlog_record_poll_success',
    `insert into poll_state (user_id, last_polled_at, last_success_at, consecutive_failures)
     select ?::uuid, ?::timestamptz, ?::timestamptz, 0 where exists (select 1 from users where id = ?::uuid)
     on conflict (user_id) do update set last_polled_at = excluded.last_polled_at, last_success_at = excluded.last_success_at, consecutive_failures = 0`,
    [userId, at.toISOString(), at.toISOString(), userId],
  );
}

/** A poll attempt that failed, with an operator-readable message (never a secret). */
export async function recordPollFailure(em: EntityManager, userId: string, at: Date, message: string): Promise<void> {
  await em.getConnection().execute(
    `insert into poll_state (user_id, last_polled_at, last_error_at, last_error, consecutive_failures)
     select ?::uuid, ?::timestamptz, ?::timestamptz, ?, 1 where exists (select 1 from users where id = ?::uuid)
     on conflict (user_id) do update set last_polled_at = excluded.last_polled_at, last_error_at = excluded.last_error_at,
       last_error = excluded.last_error, consecutive_failures = poll_state.consecutive_failures + 1`,
    [userId, at.toISOString(), at.toISOString(), message.slice(0, 2000), userId],
    'run',
    em.getTransactionContext(),
  );
}
