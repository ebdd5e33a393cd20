import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

/** Connection settings of the services `scripts/services.sh up` started (the test command runs it first). */
export const TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://playlog:playlog@127.0.0.1:5432/playlog';
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The migrated template every test database is cloned from. Its name carries a hash of the migrations,
 * so a changed migration gets a new template, and test runs side by side share one without rebuilding it.
 */
export const TEMPLATE_DATABASE = `playlog_test_template_${migrationsHash()}`;

function migrationsHash(): string {
  const dir = new URL('../../services/shared/db/migrations/', import.meta.url);
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(new URL(file, dir)));
  return hash.digest('hex').slice(0, 12);
}

export function databaseUrlFor(name: string): string {
  const url = new URL(TEST_ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A fresh 32-byte key, as TOKEN_ENCRYPTION_KEYS expects. */
export function newEncryptionKeys(id = 'test'): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** A BullMQ prefix of its own per test file, so parallel test files never see each other's jobs. */
export function uniqueQueuePrefix(label: string): string {
  return `test-${label}-${randomBytes(4).toString('hex')}`;
}
