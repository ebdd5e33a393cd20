import type { AddressInfo } from 'node:net';
import { TokenCipher } from '../shared/crypto/token-cipher.js';
import { openOrm, type MikroORM } from '../features/open-orm.js';
import { prepareExportDir } from '../features/exports/export-files.js';
import { prepareImportDir } from '../features/streaming-history/import-files.js';
import { openQueues, type Queues } from '../shared/jobs/open-queues.js';
import { createRedisConnection, waitUntilReady } from '../shared/jobs/redis-connection.js';
import { createLogger, type Logger } from '../shared/logging/logger.js';
import { createMetricsRegistry } from '../shared/metrics/metrics-registry.js';
import { startMetricsServer, type RunningMetricsServer } from '../shared/metrics/metrics-server.js';
import { SpotifyApiClient } from '../features/spotify/spotify-api.client.js';
import { SpotifyOAuthClient } from '../features/spotify/spotify-oauth.client.js';
import type { ApiConfig } from './config.js';
import { createApiApp } from './create-api-app.js';
import { ApiMetrics } from './metrics/api-metrics.js';

export interface RunningApi {
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  port: number;
  /** Where Prometheus scrapes this API: API_METRICS_PORT, apart from the public port. */
  metricsUrl: string;
  /** Graceful: stop accepting, finish in-flight requests, then close the queues, Redis and Postgres. */
  stop(): Promise<void>;
}

export interface StartApiOptions {
  logger?: Logger;
  /** An ORM the caller owns (tests count its queries); not closed by stop(). */
  orm?: MikroORM;
}

/** Opens Postgres, Redis and the job registry's queues, and serves the API on API_HOST:API_PORT (0 picks a free port). */
export async function startApiServer(config: ApiConfig, options: StartApiOptions = {}): Promise<RunningApi> {
  const logger = options.logger ?? createLogger({ service: 'api', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  // Uploads hold personal data: the directory must be Playlog's alone before any is accepted.
  await prepareImportDir(config.IMPORT_DIR, logger);
  // Exports hold whole histories: the same rule for EXPORT_DIR.
  await prepareExportDir(config.EXPORT_DIR, logger);
  const orm = options.orm ?? (await openOrm(config, logger));
  const redis = createRedisConnection(config.REDIS_URL, 'producer');
  // Without a listener ioredis would print connection errors itself; readiness reports them.
  redis.on('error', (error: Error) => logger.debug({ err: error }, 'redis connection error'));
  const closeOwned = async () => {
    redis.disconnect();
    if (!options.orm) await orm.close(true);
  };

  let queues: Queues | undefined;
  let api;
  let metricsServer: RunningMetricsServer | undefined;
  const registry = createMetricsRegistry();
  try {
    await waitUntilReady(redis);
    queues = openQueues(redis, config.QUEUE_PREFIX);
    api = await createApiApp({
      config,
      logger,
      orm,
      redis,
      queues,
      oauth: new SpotifyOAuthClient({
        accountsUrl: config.SPOTIFY_ACCOUNTS_URL,
        ...(config.SPOTIFY_ACCOUNTS_BROWSER_URL && { browserAccountsUrl: config.SPOTIFY_ACCOUNTS_BROWSER_URL }),
        clientId: config.SPOTIFY_CLIENT_ID,
        clientSecret: config.SPOTIFY_CLIENT_SECRET,
        redirectUri: config.SPOTIFY_REDIRECT_URI,
        timeoutMs: config.SPOTIFY_HTTP_TIMEOUT_MS,
      }),
      spotifyApi: new SpotifyApiClient({ apiUrl: config.SPOTIFY_API_URL, timeoutMs: config.SPOTIFY_HTTP_TIMEOUT_MS }),
      cipher: new TokenCipher(config.TOKEN_ENCRYPTION_KEYS),
      metrics: new ApiMetrics(registry),
    });
    metricsServer = await startMetricsServer({ host: config.METRICS_HOST, port: config.API_METRICS_PORT, registry, logger });
    await new Promise<void>((resolve, reject) => {
      api!.httpServer.once('error', reject);
      api!.httpServer.listen(config.API_PORT, config.API_HOST, () => resolve());
    });
  } catch (error) {
    await metricsServer?.close();
    await queues?.close();
    await closeOwned();
    throw error;
  }

  const { port } = api.httpServer.address() as AddressInfo;
  const host = config.API_HOST === '0.0.0.0' || config.API_HOST === '::' ? '127.0.0.1' : config.API_HOST;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url, graphql: `${url}/graphql` }, 'API listening');

  let stopped: Promise<void> | undefined;
  const metrics = metricsServer!;
  return {
    url,
    port,
    metricsUrl: `${metrics.url}/metrics`,
    stop() {
      stopped ??= (async () => {
        await api.stop();
        await metrics.close();
        await queues!.close();
        await redis.quit().catch(() => redis.disconnect());
        if (!options.orm) await orm.close();
        logger.info('API stopped');
      })();
      return stopped;
    },
  };
}
