import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MikroORM } from '@mikro-orm/postgresql';
import { loadApiConfig } from '../../services/api/config.js';
import { createApiApp } from '../../services/api/create-api-app.js';
import { ApiMetrics } from '../../services/api/metrics/api-metrics.js';
import { createMetricsRegistry } from '../../services/shared/metrics/metrics-registry.js';
import { startApiServer } from '../../services/api/start-api-server.js';
import { TokenCipher } from '../../services/shared/crypto/token-cipher.js';
import { ormOptions } from '../../services/features/orm-options.js';
import { openQueues } from '../../services/shared/jobs/open-queues.js';
import { createRedisConnection } from '../../services/shared/jobs/redis-connection.js';
import { SpotifyApiClient } from '../../services/features/spotify/spotify-api.client.js';
import { SpotifyOAuthClient } from '../../services/features/spotify/spotify-oauth.client.js';
import { CapturedLogs, postGraphql, startApiHarness, type ApiHarness } from './api-harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ label: 'api_health' });
});
afterAll(async () => {
  await h?.stop();
});

describe('health endpoints', () => {
  it('answers /healthz while the process runs', async () => {
    const response = await fetch(`${h.api.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200 "ready" when Postgres and Redis answer', async () => {
    const response = await fetch(`${h.api.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });
});

describe('when Redis is unreachable', () => {
  it('answers /readyz 200 "degraded", still serves histories, says what does not work, and logs it once', async () => {
    const logs = new CapturedLogs();
    const { app, url, redis } = await apiWithUnreachableRedis(h.db.orm, logs);
    try {
      const user = await h.login();
      for (let i = 0; i < 2; i++) {
        const ready = await fetch(`${url}/readyz`);
        expect(ready.status).toBe(200);
        const body = (await ready.json()) as { status: string; checks: { postgres: string; redis: string }; unavailable: string[] };
        expect(body).toMatchObject({ status: 'degraded', checks: { postgres: 'ok' }, unavailable: ['login', 'sync', 'imports', 'rate limits'] });
        expect(body.checks.redis).toMatch(/^down/);
      }
      // Reading a history needs Postgres only.
      const history = await postGraphql(`${url}/graphql`, { query: '{ listeningHistory(first: 1) { pageInfo { hasNextPage } } }' }, { authorization: `Bearer ${user.token}` });
      expect(history.status).toBe(200);
      expect(history.body.errors).toBeUndefined();
      // What needs Redis says so.
      const login = await postGraphql(`${url}/graphql`, { query: 'mutation { startSpotifyLogin { state } }' });
      expect(login.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      const warnings = logs.entries().filter((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('Redis does not answer'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.msg).toBe('Redis does not answer: the API serves histories, but not login, sync, imports, rate limits');
    } finally {
      await app.stop();
      redis.disconnect();
    }
  });
});

describe('when Postgres and Redis are unreachable', () => {
  it('answers /readyz 503 naming both, keeps /healthz alive, and masks the resulting GraphQL errors in production', async () => {
    const logs = new CapturedLogs();
    // A Postgres pool that is already closed and a Redis nobody listens on.
    const orm = await MikroORM.init(ormOptions({ DATABASE_URL: h.db.url, DATABASE_POOL_MAX: 1 }));
    await orm.close(true);
    const { app, url, redis } = await apiWithUnreachableRedis(orm, logs);
    try {
      const ready = await fetch(`${url}/readyz`);
      const body = (await ready.json()) as { status: string; checks: { postgres: string; redis: string } };
      expect(ready.status).toBe(503);
      expect(body.status).toBe('unavailable');
      expect(body.checks.postgres).toMatch(/^down/);
      expect(body.checks.redis).toMatch(/^down/);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      const response = await postGraphql(`${url}/graphql`, { query: '{ me { id } }' }, { authorization: `Bearer ${'A'.repeat(43)}` });
      const error = response.body.errors[0];
      expect(error.message).toBe('Internal server error');
      expect(error.extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(Object.keys(error.extensions).sort()).toEqual(['code', 'requestId']);
      expect(response.text).not.toMatch(/stack|\.ts:\d+|postgres|knex|pool/i);
      // The operator finds the real cause in the log, under the same request id.
      const logged = logs.entries().find((entry) => entry.requestId === error.extensions.requestId && entry.msg === 'unexpected error in a GraphQL operation');
      expect(logged).toBeDefined();
      expect(JSON.stringify(logged)).toMatch(/stack/);

      const login = await postGraphql(`${url}/graphql`, { query: 'mutation { startSpotifyLogin { state } }' });
      expect(login.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await app.stop();
      redis.disconnect();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes a request in flight, refuses new connections, then closes', async () => {
    const api = await startApiServer(loadApiConfig({ ...envOf(h), API_PORT: '0', API_HOST: '127.0.0.1' }), { logger: new CapturedLogs().logger });
    const { port } = new URL(api.url);
    const body = JSON.stringify({ query: '{ __typename }' });

    // A request whose body is only half sent when SIGTERM's stop() begins.
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: Number(port), method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 5));
      setTimeout(() => req.end(body.slice(5)), 400);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopped = api.stop();
    await new Promise((resolve) => setTimeout(resolve, 50));

    await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
    expect(await answer).toEqual({ status: 200, text: expect.stringContaining('"__typename":"Query"') });
    await stopped;
  });
});

/** The API in production settings on this ORM, with a Redis nobody listens on, listening on a free port. */
async function apiWithUnreachableRedis(orm: MikroORM, logs: CapturedLogs) {
  const config = loadApiConfig({ ...envOf(h), NODE_ENV: 'production' });
  const redis = createRedisConnection('redis://127.0.0.1:1', 'producer', { retryStrategy: () => null, lazyConnect: true });
  redis.on('error', () => undefined);
  const app = await createApiApp({
    config,
    logger: logs.logger,
    orm,
    redis,
    queues: openQueues(redis, 'unreachable'),
    metrics: new ApiMetrics(createMetricsRegistry()),
    oauth: new SpotifyOAuthClient({ accountsUrl: h.emulator.accountsUrl, clientId: 'x', clientSecret: 'y', redirectUri: 'http://127.0.0.1/cb', timeoutMs: 1000 }),
    spotifyApi: new SpotifyApiClient({ apiUrl: h.emulator.apiUrl, timeoutMs: 1000 }),
    cipher: new TokenCipher(config.TOKEN_ENCRYPTION_KEYS),
  });
  await new Promise<void>((resolve) => app.httpServer.listen(0, '127.0.0.1', resolve));
  return { app, redis, url: `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}` };
}

/** The environment the harness's API was started with. */
function envOf(harness: ApiHarness): Record<string, string> {
  const c = harness.config;
  return {
    NODE_ENV: 'test',
    // Test files run at once: the default metrics port would be taken by another API.
    API_METRICS_PORT: '0',
    DATABASE_URL: harness.db.url,
    REDIS_URL: c.REDIS_URL,
    QUEUE_PREFIX: c.QUEUE_PREFIX,
    TOKEN_ENCRYPTION_KEYS: c.TOKEN_ENCRYPTION_KEYS.map((k) => `${k.id}:${k.key.toString('base64')}`).join(','),
    SPOTIFY_ACCOUNTS_URL: c.SPOTIFY_ACCOUNTS_URL,
    SPOTIFY_API_URL: c.SPOTIFY_API_URL,
    SPOTIFY_CLIENT_ID: c.SPOTIFY_CLIENT_ID,
    SPOTIFY_CLIENT_SECRET: c.SPOTIFY_CLIENT_SECRET,
    SPOTIFY_REDIRECT_URI: c.SPOTIFY_REDIRECT_URI,
  };
}
