import type { EntityManager } from '@mikro-orm/postgresql';
import type { UserStatus } from './entities/user.entity.js';

/**
 * Reads and writes of `users` for login, profile and account deletion. Raw SQL through MikroORM's
 * connection: each is one statement (an upsert, a delete, one joined read) and the unit of work would
 * add selects and identity-map entries for nothing.
 */

export interface UserProfile {
  id: string;
  spotifyUserId: string;
  displayName: string | null;
  status: UserStatus;
  createdAt: Date;
  /** The oldest stored play, or null when none is stored yet. */
  historyStartsAt: Date | null;
  /** When a poll of this user last succeeded. */
  lastSuccessfulPollAt: Date | null;
  /** When the user last authorised Playlog on Spotify (refresh tokens die six months after it). */
  spotifyAuthorizedAt: Date | null;
}

export interface UserRow {
  id: string;
  status: UserStatus;
}

/** The user with this Spotify id, locked for the rest of the transaction; null when there is none. */
export async function findUserBySpotifyIdForUpdate(em: EntityManager, spotifyUserId: string): Promise<UserRow | null> {
  const rows: UserRow[] = await em
    .getConnection()
    .execute('select id, status from users where spotify_user_id = ? for update', [spotifyUserId], 'all', em.getTransactionContext());
  return rows[0] ?? null;
}

/**
 * Creates the user or refreshes their name, and marks them active: a user who had to re-authorise
 * is polled again. A disabled user stays disabled (callers refuse their login before calling this).
 */
export async function upsertSpotifyUser(em: EntityManager, user: { spotifyUserId: string; displayName: string | null }): Promise<UserRow> {
  const rows: UserRow[] = await em.getConnection().execute(
    `insert into users (id, spotify_user_id, display_name, status, created_at, updated_at)
     values (gen_random_uuid(), ?, ?, 'active', now(), now())
     on conflict (spotify_user_id) do update set
       display_name = excluded.display_name,
       status = case when users.status = 'disabled' then users.status else 'active' end,
       updated_at = now()
     returning id, status`,
    [user.spotifyUserId, user.displayName],
    'all',
    em.getTransactionContext(),
  );
  return rows[0]!;
}

/** Makes sure the user has a poll_state row (the scheduler and `me.lastSuccessfulPoll` read it). */
export async function ensurePollState(em: EntityManager, userId: string): Promise<void> {
  await em
    .getConnection()
    .execute('insert into poll_state (user_id) values (?) on conflict (user_id) do nothing', [userId], 'run', em.getTransactionContext());
}

/** One read for `me`: the user, their oldest play (served by the listening_events primary key) and poll health. */
export async function loadUserProfile(em: EntityManager, userId: string): Promise<UserProfile | null> {
  const rows: Array<{
    id: string;
    spotify_user_id: string;
    display_name: string | null;
    status: UserStatus;
    created_at: Date;
    history_starts_at: Date | null;
    last_success_at: Date | null;
    authorized_at: Date | null;
  }> = await em.getConnection().execute(
    `select u.id, u.spotify_user_id, u.display_name, u.status, u.created_at,
            (select min(e.played_at) from listening_events e where e.user_id = u.id) as history_starts_at,
            ps.last_success_at, sc.authorized_at
       from users u
       left join poll_state ps on ps.user_id = u.id
       left join spotify_credentials sc on sc.user_id = u.id
      where u.id = ?`,
    [userId],
    'all',
    em.getTransactionContext(),
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    spotifyUserId: row.spotify_user_id,
    displayName: row.display_name,
    status: row.status,
    createdAt: new Date(row.created_at),
    historyStartsAt: row.history_starts_at ? new Date(row.history_starts_at) : null,
    lastSuccessfulPollAt: row.last_success_at ? new Date(row.last_success_at) : null,
    spotifyAuthorizedAt: row.authorized_at ? new Date(row.authorized_at) : null,
  };
}

/** Deletes the user; foreign keys cascade to tokens, sessions, plays and poll state. Returns whether a row went. */
export async function deleteUser(em: EntityManager, userId: string): Promise<boolean> {
  const result: { affectedRows: number } = await em
    .getConnection()
    .execute('delete from users where id = ?', [userId], 'run', em.getTransactionContext());
  return result.affectedRows > 0;
}
