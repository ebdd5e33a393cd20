/**
 * `npm run rotate-key`: re-encrypts every stored Spotify token with the first key of TOKEN_ENCRYPTION_KEYS.
 *
 * Rotation, step by step (docs/security.md):
 *   1. put the new key FIRST in TOKEN_ENCRYPTION_KEYS, keep the old one after it: `new:<b64>,old:<b64>`;
 *   2. roll the API and workers out with it (they decrypt both, encrypt with the new one);
 *   3. `npm run rotate-key` (idempotent: run it again after an interruption, it continues);
 *   4. when it reports `remaining: 0`, drop the old key from TOKEN_ENCRYPTION_KEYS.
 */
import { databaseEnv, runtimeEnv, tokenCryptoEnv } from '../services/shared/config/env-schema.js';
import { loadConfig } from '../services/shared/config/load-config.js';
import { rotateCredentialsKey } from '../services/shared/crypto/rotate-key.js';
import { TokenCipher } from '../services/shared/crypto/token-cipher.js';
import { openOrm } from '../services/shared/db/open-orm.js';
import { createLogger } from '../services/shared/logging/logger.js';
import { runService } from '../services/shared/runtime/run-service.js';

runService('rotate-key', async () => {
  const config = loadConfig({ ...runtimeEnv, ...databaseEnv, ...tokenCryptoEnv });
  const logger = createLogger({ service: 'rotate-key', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const cipher = new TokenCipher(config.TOKEN_ENCRYPTION_KEYS);
  const orm = await openOrm(config);
  try {
    const result = await rotateCredentialsKey(orm.em.fork(), cipher, { onBatch: (rotated) => logger.info({ rotated }, 'rotating') });
    const message = result.remaining === 0
      ? `every credential is on key "${result.keyId}" (${result.rotated} re-encrypted now); older keys can leave TOKEN_ENCRYPTION_KEYS`
      : `${result.remaining} credential row(s) are still on another key (locked by running jobs): run rotate-key again`;
    logger.info(result, message);
    process.exitCode = result.remaining === 0 ? 0 : 1;
  } finally {
    await orm.close(true);
  }
  process.exit(process.exitCode ?? 0);
});
