import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PollState } from './poll-state.entity.js';
import { SpotifyCredentials } from '../../accounts/data/spotify-credentials.entity.js';
import { User, USER_STATUSES, type UserStatus } from '../../accounts/data/user.entity.js';

/** What the worker's pipeline gauges show about users (docs/operations.md). */
export interface PipelineHealth {
  usersByStatus: Record<UserStatus, number>;
  /** Active users whose Spotify grant ends within the warning window: they must log in again soon. */
  activeReauthDue: number;
  /**
   * The oldest moment an active user's plays are known to be collected up to: the oldest last successful
   * poll, or, for an active user never polled successfully, when they signed up. Null: no active user.
   */
  oldestCollectedAt: Date | null;
}

const asDate = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(value as string | Date));

/**
 * Reads the user gauges, each along an index: the counts by status along users_status_id_index, the
 * re-authorisation tail along spotify_credentials_authorized_at_index, the oldest success along
 * poll_state_last_success_at_index (its first active entry, and its null entries: users never polled
 * successfully). Login creates every user's poll_state row, so no active user is missed.
 */
export async function readPipelineHealth(em: EntityManager, settings: { reauthDueBefore: Date }): Promise<PipelineHealth> {
  const [statusRows, reauthDue, oldestSuccess, neverSucceeded] = await Promise.all([
    em
      .createQueryBuilder(User, 'u')
      .select(['u.status', raw('count(*)::int as count')])
      .groupBy('u.status')
      .execute('all', false) as Promise<Array<{ status: UserStatus; count: number }>>,
    em.count(SpotifyCredentials, { authorizedAt: { $lte: settings.reauthDueBefore }, user: { status: 'active' } }),
    em
      .createQueryBuilder(PollState, 'ps')
      .select('ps.last_success_at')
      .join('ps.user', 'u')
      .where({ lastSuccessAt: { $ne: null }, user: { status: 'active' } })
      .orderBy({ lastSuccessAt: 'asc' })
      .limit(1)
      .execute('get', false) as Promise<{ last_success_at: Date | string } | undefined>,
    em
      .createQueryBuilder(PollState, 'ps')
      .select(raw('min(u.created_at) as created_at'))
      .join('ps.user', 'u')
      .where({ lastSuccessAt: null, user: { status: 'active' } })
      .execute('get', false) as Promise<{ created_at: Date | string | null } | undefined>,
  ]);
  const usersByStatus = Object.fromEntries(USER_STATUSES.map((status) => [status, 0])) as Record<UserStatus, number>;
  for (const row of statusRows) usersByStatus[row.status] = Number(row.count);
  const candidates = [asDate(oldestSuccess?.last_success_at), asDate(neverSucceeded?.created_at)].filter((date): date is Date => date !== null);
  const oldestCollectedAt = candidates.length === 0 ? null : new Date(Math.min(...candidates.map((date) => date.getTime())));
  return { usersByStatus, activeReauthDue: reauthDue, oldestCollectedAt };
}
