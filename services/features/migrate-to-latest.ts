import type { Logger } from '../shared/logging/logger.js';
import { openOrm } from './open-orm.js';
import type { DatabaseSettings } from './orm-options.js';

/** Applies pending migrations; returns the names applied. Safe to run again: applied ones are skipped. */
export async function migrateToLatest(settings: DatabaseSettings, logger?: Logger): Promise<string[]> {
  const orm = await openOrm({ ...settings, DATABASE_POOL_MAX: 2 }, logger);
  try {
    const applied = await orm.getMigrator().up();
    return applied.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}
