import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenCipher } from '../crypto/token-cipher.js';
import { credentialsFromRow, type CredentialsRow, type StoredCredentials } from './credentials.repository.js';
import type { UserStatus } from './entities/user.entity.js';
import { runPrepared } from './run-prepared.js';

/** What a poll needs to start: the user's status, their tokens and where the last poll stopped. */
export interface PollContext {
  status: UserStatus;
  /** Null when no tokens are stored (the user must log in again). */
  credentials: StoredCredentials | null;
  /** Unix ms of the newest play stored from polling; null before the first successful poll. */
  afterCursorMs: number | null;
}

/**
 * One prepared statement for the start of every poll (the hot path: one per user per interval), where
 * three selects by the same id would cost two more round trips and their share of Postgres's CPU.
 * Null when the user no longer exists.
 */
export async function loadPollContext(em: EntityManager, cipher: TokenCipher, userId: string): Promise<PollContext | null> {
  const rows = await runPrepared<Partial<CredentialsRow> & { status: UserStatus; has_credentials: boolean; after_cursor_ms: string | null }>(
    em,
    'playlog_load_poll_context',
    `select u.status, sc.user_id is not null as has_credentials,
            sc.access_token_encrypted, sc.refresh_token_encrypted, sc.access_token_expires_at, sc.scopes, sc.authorized_at,
            ps.after_cursor_ms
       from users u
       left join spotify_credentials sc on sc.user_id = u.id
       left join poll_state ps on ps.user_id = u.id
      where u.id = ?`,
    [userId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    status: row.status,
    credentials: row.has_credentials ? credentialsFromRow(cipher, userId, row as CredentialsRow) : null,
    // bigint arrives as text; ms since the epoch stay far below 2^53.
    afterCursorMs: row.after_cursor_ms === null ? null : Number(row.after_cursor_ms),
  };
}
