import { loadConfig } from '../shared/config/load-config.js';
import { databaseEnv, runtimeEnv } from '../shared/config/env-schema.js';
import { createLogger } from '../shared/logging/logger.js';
import { runService } from '../shared/runtime/run-service.js';
import { migrateToLatest } from '../features/migrate-to-latest.js';

const USAGE = `usage: playlog migrate

Applies pending database migrations to DATABASE_URL in one transaction, then exits: 0 when the database
is up to date, 1 on an error (nothing applied). Safe to run again (a Helm pre-install/pre-upgrade hook).`;

/** `npm run migrate`: applies pending migrations and exits (a Helm pre-install/pre-upgrade hook in production). */
runService('migrate', async () => {
  const config = loadConfig({ ...runtimeEnv, ...databaseEnv });
  const logger = createLogger({ service: 'migrate', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const applied = await migrateToLatest(config, logger);
  logger.info({ applied }, applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date');
  process.exit(0);
}, { usage: USAGE });
