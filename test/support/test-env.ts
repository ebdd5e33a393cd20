import { randomBytes } from 'node:crypto';

/** Connection settings of the services `scripts/services.sh up` started (the test command runs it first). */
export const TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://playlog:playlog@127.0.0.1:5432/playlog';
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEMPLATE_DATABASE = 'playlog_test_template';

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
