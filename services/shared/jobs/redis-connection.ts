import { Redis, type RedisOptions } from 'ioredis';

/**
 * Redis connections as BullMQ wants them in production:
 * - producers (API, scheduler) fail fast while Redis is away, so callers get an error instead of a hang;
 * - workers retry forever (`maxRetriesPerRequest: null`), so a Redis restart pauses them, not kills them.
 */
export function createRedisConnection(url: string, role: 'producer' | 'worker', extra: RedisOptions = {}): Redis {
  const options: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true, ...extra }
      : { maxRetriesPerRequest: 2, enableOfflineQueue: false, connectTimeout: 5_000, ...extra };
  return new Redis(url, options);
}

/**
 * Waits until a fail-fast connection is ready (it does not queue commands before that). A refused password
 * fails at once, saying so; a timeout names the last connection error, so the caller's message says why.
 */
export async function waitUntilReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    let lastError: string | undefined;
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis at REDIS_URL did not become ready within ${timeoutMs} ms (status ${redis.status}${lastError ? `, last error: ${lastError}` : ''})`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    // Redis' own words (NOAUTH, WRONGPASS) never contain the password.
    const onError = (error: Error) => {
      lastError = error.message;
      if (/NOAUTH|WRONGPASS|invalid password|invalid username-password/i.test(error.message)) {
        cleanup();
        reject(new Error(`Redis at REDIS_URL refused to authenticate: ${error.message} (put the password in REDIS_URL: redis://:<password>@host:6379)`));
      }
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
    };
    redis.on('ready', onReady);
    redis.on('error', onError);
  });
}
