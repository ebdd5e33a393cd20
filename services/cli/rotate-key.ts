import { EXIT, parseCommandLine, runCommandLine } from '../shared/cli/command-line.js';
import { databaseEnv, runtimeEnv, tokenCryptoEnv } from '../shared/config/env-schema.js';
import { loadConfig } from '../shared/config/load-config.js';
import { rotateCredentialsKey } from '../features/accounts/rotate-key.js';
import { TokenCipher } from '../shared/crypto/token-cipher.js';
import { openOrm } from '../features/open-orm.js';
import { createLogger } from '../shared/logging/logger.js';

const USAGE = `usage: playlog rotate-key      (npm run rotate-key)

Re-encrypts every stored Spotify token with the first key of TOKEN_ENCRYPTION_KEYS. Rotation, step by
step (docs/security.md):
  1. put the new key FIRST in TOKEN_ENCRYPTION_KEYS, keep the old one after it: new:<b64>,old:<b64>;
  2. roll the API and workers out with it (they decrypt both, encrypt with the new one);
  3. playlog rotate-key (idempotent: run it again after an interruption, it continues);
  4. when it reports remaining: 0, drop the old key from TOKEN_ENCRYPTION_KEYS.

Exit codes: 0 every token is on the first key, 1 some are not yet (run it again) or an error, 2 bad usage.`;

runCommandLine('rotate-key', USAGE, async (argv) => {
  parseCommandLine(argv, {});
  const config = loadConfig({ ...runtimeEnv, ...databaseEnv, ...tokenCryptoEnv });
  const logger = createLogger({ service: 'rotate-key', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const cipher = new TokenCipher(config.TOKEN_ENCRYPTION_KEYS);
  const orm = await openOrm(config, logger);
  try {
    const result = await rotateCredentialsKey(orm.em.fork(), cipher, { onBatch: (rotated) => logger.info({ rotated }, 'rotating') });
    const message =
      result.remaining === 0
        ? `every credential is on key "${result.keyId}" (${result.rotated} re-encrypted now); older keys can leave TOKEN_ENCRYPTION_KEYS`
        : `${result.remaining} credential row(s) are still on another key (locked by running jobs): run rotate-key again`;
    logger.info(result, message);
    return result.remaining === 0 ? EXIT.ok : EXIT.error;
  } finally {
    await orm.close(true);
  }
});
