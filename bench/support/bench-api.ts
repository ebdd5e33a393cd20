import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { REDIS_URL } from './bench-env.js';
import { benchPrefix, benchRedis } from './bench-redis.js';
import { startChildService, type ChildService } from './child-service.js';
import type { ScenarioContext } from './scenario.js';

/** A session for a preloaded user, stored as the API stores one (the SHA-256 of its token): answers the bearer token. */
export async function benchSessionFor(sql: pg.Pool, userId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await sql.query(`insert into sessions (id, user_id, token_hash, expires_at) values (gen_random_uuid(), $1, $2, now() + interval '1 day')`, [
    userId,
    createHash('sha256').update(token, 'utf8').digest('hex'),
  ]);
  return token;
}

/** The API as a process of its own on a scenario's database, without rate limits (the load is the point), queues under the scenario's prefix. */
export async function startBenchApi(context: ScenarioContext, databaseUrl: string, label: string): Promise<ChildService> {
  const redis = await benchRedis(context);
  return startChildService(context, {
    name: 'api',
    command: 'api',
    env: {
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      QUEUE_PREFIX: benchPrefix(context, redis, label),
      API_HOST: '127.0.0.1',
      API_PORT: '0',
      METRICS_HOST: '127.0.0.1',
      API_METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      RATE_LIMIT_GRAPHQL: '0',
      LISTENBRAINZ_RATE_LIMIT: '0',
      TOKEN_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      SPOTIFY_CLIENT_ID: 'bench',
      SPOTIFY_CLIENT_SECRET: 'bench-secret',
    },
  });
}
