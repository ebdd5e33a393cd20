import { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../shared/logging/logger.js';
import { describeDatabaseUrl } from '../shared/db/database-url.js';
import { ormOptions, type DatabaseSettings } from './orm-options.js';

export type { MikroORM } from '@mikro-orm/postgresql';

/**
 * Connects to Postgres. Callers fork `orm.em` per request or job: the global context is disabled. The
 * ORM's and knex's own messages go to `logger` (as component mikro-orm), or nowhere.
 */
export async function openOrm(settings: DatabaseSettings, logger?: Logger): Promise<MikroORM> {
  const log = logger?.child({ component: 'mikro-orm' });
  const orm = await MikroORM.init(
    ormOptions(
      settings,
      log && { debug: (message) => log.debug(message), warn: (message) => log.warn(message), error: (message) => log.error(message) },
    ),
  );
  const check = await orm.checkConnection();
  if (!check.ok) {
    await orm.close(true);
    throw new Error(`cannot connect to Postgres at DATABASE_URL (${describeDatabaseUrl(settings.DATABASE_URL)}): ${check.reason}`);
  }
  return orm;
}
