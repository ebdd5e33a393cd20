import { runtimeEnv } from '../shared/config/env-schema.js';
import { loadConfig } from '../shared/config/load-config.js';
import { createLogger } from '../shared/logging/logger.js';
import { runService } from '../shared/runtime/run-service.js';
import { emulatorEnv, emulatorOptionsFromEnv } from './config.js';
import { startEmulator } from './start-emulator.js';

const USAGE = `usage: playlog emulator

The Spotify emulator: accounts (OAuth) and the Web API with synthetic listeners, for the demo and
development; never point production at it. Listens on EMULATOR_HOST:EMULATOR_PORT.
Configuration: the environment (docs/spotify-emulator.md).`;

/** `npm run start:emulator`: the Spotify emulator as its own process (see docs/spotify-emulator.md). */
runService('spotify-emulator', async () => {
  const config = loadConfig({ ...runtimeEnv, ...emulatorEnv });
  const logger = createLogger({ service: 'spotify-emulator', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const emulator = await startEmulator({ ...emulatorOptionsFromEnv(config), logger });
  logger.info(
    {
      accountsUrl: emulator.accountsUrl,
      apiUrl: emulator.apiUrl,
      adminUrl: emulator.adminUrl,
      clientId: emulator.clientId,
      users: emulator.users().map((user) => user.id),
      clock: emulator.clock.toJSON(),
    },
    'Spotify emulator listening',
  );
  return async () => {
    await emulator.stop();
    logger.info('Spotify emulator stopped');
  };
}, { usage: USAGE });
