import { Redis } from 'ioredis';
import { REDIS_URL } from './bench-env.js';
import type { ScenarioContext } from './scenario.js';

/** A Redis connection of the bench itself (measuring, cleaning), closed when the scenario ends. */
export async function benchRedis(context: ScenarioContext): Promise<Redis> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    throw new Error(`benchmarks need Redis at REDIS_URL: run \`bash scripts/services.sh up\` first: ${(error as Error).message}`);
  }
  context.defer(() => void redis.disconnect());
  return redis;
}

/** Every key under a prefix (SCAN, never KEYS: other users of this Redis keep running). */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5_000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Bytes Redis uses for the keys under a prefix (MEMORY USAGE of each, values and overhead). */
export async function memoryUnder(redis: Redis, prefix: string): Promise<{ keys: number; bytes: number }> {
  const keys = await keysUnder(redis, prefix);
  let bytes = 0;
  for (let i = 0; i < keys.length; i += 1_000) {
    const pipeline = redis.pipeline();
    for (const key of keys.slice(i, i + 1_000)) pipeline.memory('USAGE', key, 'SAMPLES', 0);
    for (const [error, size] of (await pipeline.exec()) ?? []) if (!error) bytes += Number(size ?? 0);
  }
  return { keys: keys.length, bytes };
}

/** Deletes every key under a prefix; registered as a cleanup so a crashed scenario leaves nothing. */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<number> {
  const keys = await keysUnder(redis, prefix);
  for (let i = 0; i < keys.length; i += 1_000) await redis.unlink(...keys.slice(i, i + 1_000));
  return keys.length;
}

export async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? Number.NaN);
}

/** A queue prefix of its own for a scenario's queues (and every key under it deleted at the end). */
export function benchPrefix(context: ScenarioContext, redis: Redis, label: string): string {
  const prefix = `bench-${context.runId}-${label}`;
  context.defer(async () => {
    await deleteKeysUnder(redis, prefix);
  });
  return prefix;
}

/** CPU time the Redis server has used (all its clients: other users of this Redis count too). */
export async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
}
