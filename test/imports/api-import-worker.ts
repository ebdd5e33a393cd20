import type { Worker } from 'bullmq';
import { TokenCipher } from '../../services/shared/crypto/token-cipher.js';
import { importQueue } from '../../services/shared/jobs/job-registry.js';
import { createRedisConnection } from '../../services/shared/jobs/redis-connection.js';
import type { SpotifyApiClient } from '../../services/features/spotify/spotify-api.client.js';
import { importHandler } from '../../services/worker/import/import.handler.js';
import { SharedSpotifyRateLimit } from '../../services/worker/import/shared-rate-limit.js';
import { createQueueWorker, type QueueWorkerSettings } from '../../services/worker/jobs/queue-worker.js';
// Spelled from the root: the lint rule keeping services apart matches `../api/*` and means services/api.
import type { ApiHarness } from '../../test/api/api-harness.js';
import { spotifyClientsFor } from '../support/emulator.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { DEFAULT_IMPORT_LIMITS } from './import-harness.js';

export interface ApiImportWorker {
  worker: Worker;
  /** Closes the worker; `force`: at once, leaving its active job locked as a dead worker would. */
  stop(force?: boolean): Promise<void>;
}

/** An in-process import worker on an API harness's database and queues, as the worker service runs it. */
export async function startApiImportWorker(
  h: ApiHarness,
  options: { api?: SpotifyApiClient; chunkRows?: number; settings?: Partial<QueueWorkerSettings> } = {},
): Promise<ApiImportWorker> {
  const connection = createRedisConnection(TEST_REDIS_URL, 'worker');
  const clients = spotifyClientsFor(h.emulator);
  const { worker } = createQueueWorker(
    importQueue,
    importHandler({
      cipher: new TokenCipher(h.config.TOKEN_ENCRYPTION_KEYS),
      api: options.api ?? clients.api,
      oauth: clients.oauth,
      tokens: { refreshMarginMs: 60_000, lifetimeDays: 182, warningDays: 14 },
      rateLimit: new SharedSpotifyRateLimit(connection, h.queue, { lookupsPerSecond: 1_000 }),
      chunkRows: options.chunkRows ?? 100,
      limits: DEFAULT_IMPORT_LIMITS,
      now: Date.now,
    }),
    { orm: h.db.orm, connection, logger: h.logs.logger, pauseSpotify: (ms) => h.queue.rateLimit(ms) },
    { prefix: h.config.QUEUE_PREFIX, concurrency: 1, lockDurationMs: 5_000, stalledIntervalMs: 2_000, maxStalledCount: 1, backoffBaseMs: 20, backoffMaxMs: 100, quotaPauseMs: 60_000, ...options.settings },
  );
  void worker.run();
  await worker.waitUntilReady();
  return {
    worker,
    async stop(force = false) {
      await worker.close(force);
      connection.disconnect();
    },
  };
}
