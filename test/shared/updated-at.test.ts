import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reencryptCredentialsBatch, saveCredentials } from '../../services/features/accounts/data/credentials.repository.js';
import { createExport, failExport, startExport } from '../../services/features/exports/data/exports.repository.js';
import { setUserTimeZone } from '../../services/features/statistics/data/stats-zone.repository.js';
import { createImport, emptyCounts, forgetImportFile, recordChunk, startImport } from '../../services/features/streaming-history/data/imports.repository.js';
import { TokenCipher, parseEncryptionKeys } from '../../services/shared/crypto/token-cipher.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertUser } from '../support/plays.js';
import { newEncryptionKeys } from '../support/test-env.js';

/**
 * Writes that load a row, change it and flush leave `updated_at` to the entity's `onUpdate`: each case
 * backdates the row, writes, and finds `updated_at` moved to now.
 */
describe('updated_at of rows changed through the unit of work', () => {
  let db: TestDatabase;
  let userId: string;
  const LONG_AGO = '2000-01-01T00:00:00Z';

  beforeAll(async () => {
    db = await createTestDatabase('updated_at');
    userId = await insertUser(db.sql, `updated-at-${randomUUID()}`);
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function backdate(table: string, key: string, id: string): Promise<void> {
    await db.sql.query(`update ${table} set updated_at = $1 where ${key} = $2`, [LONG_AGO, id]);
  }

  async function movedToNow(table: string, key: string, id: string, since: number): Promise<boolean> {
    const { rows } = await db.sql.query<{ updated_at: Date }>(`select updated_at from ${table} where ${key} = $1`, [id]);
    return rows[0]!.updated_at.getTime() >= since - 1_000;
  }

  it('moves for an import started, given a chunk, and whose file is forgotten', async () => {
    const created = await createImport(db.orm.em.fork(), { userId, fileName: 'history.zip', filePath: `/nowhere/${randomUUID()}.upload`, fileBytes: 10 });
    const steps: Array<() => Promise<unknown>> = [
      () => startImport(db.orm.em.fork(), created.id),
      () => db.orm.em.fork().transactional((tx) => recordChunk(tx, created.id, { entry: 0, row: 0 }, { entry: 0, row: 5 }, emptyCounts(), [])),
      () => forgetImportFile(db.orm.em.fork(), created.id),
    ];
    for (const step of steps) {
      await backdate('imports', 'id', created.id);
      const since = Date.now();
      await step();
      expect(await movedToNow('imports', 'id', created.id, since)).toBe(true);
    }
    const { rows } = await db.sql.query<{ file_path: string | null; resume_row: string }>('select file_path, resume_row from imports where id = $1', [created.id]);
    expect(rows[0]).toEqual({ file_path: null, resume_row: '5' });
  });

  it('moves for an export started and failed', async () => {
    const created = await createExport(db.orm.em.fork(), { userId, format: 'csv', expiresAt: new Date(Date.now() + 3_600_000), maxPending: 5, maxKept: 5 });
    if (!('created' in created)) throw new Error('the export was refused');
    const id = created.created.id;
    for (const step of [() => startExport(db.orm.em.fork(), id), () => failExport(db.orm.em.fork(), id, 'stopped')]) {
      await backdate('exports', 'id', id);
      const since = Date.now();
      await step();
      expect(await movedToNow('exports', 'id', id, since)).toBe(true);
    }
  });

  it('moves for a user whose time zone changes, and for credentials moved to a new key', async () => {
    await backdate('users', 'id', userId);
    let since = Date.now();
    expect(await setUserTimeZone(db.orm.em.fork(), userId, 'Europe/Berlin')).toBe(true);
    expect(await movedToNow('users', 'id', userId, since)).toBe(true);

    const oldKeys = newEncryptionKeys('old');
    const tokens = { accessToken: 'access', refreshToken: 'refresh', accessTokenExpiresAt: new Date(Date.now() + 3_600_000), scopes: [] };
    await saveCredentials(db.orm.em.fork(), new TokenCipher(parseEncryptionKeys(oldKeys)), userId, tokens, new Date());
    await backdate('spotify_credentials', 'user_id', userId);
    since = Date.now();
    const rotated = new TokenCipher(parseEncryptionKeys(`${newEncryptionKeys('new')},${oldKeys}`));
    expect(await db.orm.em.fork().transactional((tx) => reencryptCredentialsBatch(tx, rotated, 10))).toBe(1);
    expect(await movedToNow('spotify_credentials', 'user_id', userId, since)).toBe(true);
  });
});
