import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenCipher } from './token-cipher.js';

export interface RotateKeyResult {
  /** Rows re-encrypted with the current key by this run. */
  rotated: number;
  /** Rows still on another key afterwards (0 unless stopped early by `maxRows`). */
  remaining: number;
  /** The key id every rotated row now carries. */
  keyId: string;
}

export interface RotateKeyOptions {
  /** Rows per transaction: each batch commits on its own, so an interrupted run keeps what it did. */
  batchSize?: number;
  /** Stop after this many rows (tests use it to interrupt a run). */
  maxRows?: number;
  onBatch?: (rotated: number) => void;
}

const context = (userId: string, column: 'access_token' | 'refresh_token') => `spotify_credentials:${userId}:${column}`;

interface Row {
  user_id: string;
  access_token_encrypted: string;
  refresh_token_encrypted: string;
}

/**
 * Re-encrypts every credential row whose ciphertexts are not on the cipher's current key (the first of
 * TOKEN_ENCRYPTION_KEYS), batch by batch. Idempotent and resumable: a row is chosen by its key_id, so a
 * second run, or a run after a crash, only touches what is left. Rows are locked (`for update skip
 * locked`) while rewritten, so a worker saving refreshed tokens for the same user waits or is skipped and
 * its write (already on the current key) is never overwritten by an older token.
 */
export async function rotateCredentialsKey(em: EntityManager, cipher: TokenCipher, options: RotateKeyOptions = {}): Promise<RotateKeyResult> {
  const batchSize = options.batchSize ?? 200;
  const keyId = cipher.currentKeyId;
  const connection = em.getConnection();
  let rotated = 0;
  let idlePasses = 0;
  for (;;) {
    const limit = options.maxRows === undefined ? batchSize : Math.min(batchSize, options.maxRows - rotated);
    if (limit <= 0) break;
    const done = await em.transactional(async (tx) => {
      const trx = tx.getTransactionContext();
      const rows: Row[] = await connection.execute(
        `select user_id, access_token_encrypted, refresh_token_encrypted from spotify_credentials
         where key_id <> ? order by user_id limit ? for update skip locked`,
        [keyId, limit],
        'all',
        trx,
      );
      for (const row of rows) {
        // Both columns are read again before writing: decrypt fails loudly (naming the key id) when
        // TOKEN_ENCRYPTION_KEYS lacks the old key, and then nothing of this batch is written.
        const accessToken = cipher.decrypt(row.access_token_encrypted, context(row.user_id, 'access_token'));
        const refreshToken = cipher.decrypt(row.refresh_token_encrypted, context(row.user_id, 'refresh_token'));
        await connection.execute(
          `update spotify_credentials set access_token_encrypted = ?, refresh_token_encrypted = ?, key_id = ?, updated_at = now()
           where user_id = ?`,
          [cipher.encrypt(accessToken, context(row.user_id, 'access_token')), cipher.encrypt(refreshToken, context(row.user_id, 'refresh_token')), keyId, row.user_id],
          'run',
          trx,
        );
      }
      return rows.length;
    });
    rotated += done;
    if (done > 0) {
      idlePasses = 0;
      options.onBatch?.(rotated);
    }
    if (done === limit) continue;
    // Fewer than asked: everything is on the current key, or the rest is locked by a worker saving
    // refreshed tokens right now (which it writes with the current key). Wait a little for those.
    if ((await countOnOtherKeys(em, keyId)) === 0 || ++idlePasses > 50) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { rotated, remaining: await countOnOtherKeys(em, keyId), keyId };
}

async function countOnOtherKeys(em: EntityManager, keyId: string): Promise<number> {
  const [row] = await em
    .getConnection()
    .execute<Array<{ n: string }>>('select count(*) as n from spotify_credentials where key_id <> ?', [keyId], 'all');
  return Number(row?.n ?? 0);
}
