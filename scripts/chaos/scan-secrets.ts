import type { Redis } from 'ioredis';

export interface SecretGroup {
  what: string;
  values: string[];
}

export interface Leak {
  what: string;
  where: string;
}

/** Every secret value found in any of the texts, by kind and place (values themselves are never printed). */
export function findLeaks(secrets: SecretGroup[], places: Array<{ where: string; text: string }>): Leak[] {
  const leaks: Leak[] = [];
  for (const { what, values } of secrets) {
    // Short values could match by chance; every secret the emulator issues is long.
    const candidates = values.filter((value) => value && value.length >= 8);
    for (const place of places) {
      if (candidates.some((value) => place.text.includes(value))) leaks.push({ what, where: place.where });
    }
  }
  return leaks;
}

/** Everything Redis holds, as text: job hashes (data, failedReason, stacktrace), lists, sets, streams. */
export async function redisText(redis: Redis): Promise<string> {
  const parts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      parts.push(key);
      if (type === 'string') parts.push((await redis.get(key)) ?? '');
      else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
      else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
      else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
  } while (cursor !== '0');
  return parts.join('\n');
}
