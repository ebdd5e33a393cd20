import type { EntityManager } from '@mikro-orm/postgresql';
import type { TokenCipher } from '../../shared/crypto/token-cipher.js';
import { countCredentialsOnOtherKeys, reencryptCredentialsBatch } from './data/credentials.repository.js';

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

/**
 * Re-encrypts every credential row whose ciphertexts are not on the cipher's current key (the first of
 * TOKEN_ENCRYPTION_KEYS), batch by batch. Idempotent and resumable: a row is chosen by its key id, so a
 * second run, or a run after a crash, only touches what is left. Rows are locked while rewritten and rows
 * locked by a worker saving refreshed tokens are skipped, so that write (already on the current key) is
 * never overwritten by an older token.
 */
export async function rotateCredentialsKey(em: EntityManager, cipher: TokenCipher, options: RotateKeyOptions = {}): Promise<RotateKeyResult> {
  const batchSize = options.batchSize ?? 200;
  const keyId = cipher.currentKeyId;
  let rotated = 0;
  let idlePasses = 0;
  for (;;) {
    const limit = options.maxRows === undefined ? batchSize : Math.min(batchSize, options.maxRows - rotated);
    if (limit <= 0) break;
    const done = await em.fork().transactional((tx) => reencryptCredentialsBatch(tx, cipher, limit));
    rotated += done;
    if (done > 0) {
      idlePasses = 0;
      options.onBatch?.(rotated);
    }
    if (done === limit) continue;
    // Fewer than asked: everything is on the current key, or the rest is locked by a worker saving
    // refreshed tokens right now (which it writes with the current key). Wait a little for those.
    if ((await countCredentialsOnOtherKeys(em.fork(), keyId)) === 0 || ++idlePasses > 50) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { rotated, remaining: await countCredentialsOnOtherKeys(em.fork(), keyId), keyId };
}
