import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COST_CACHE_BYTES, CostCache, MAX_COST_KEY_LENGTH } from '../../services/api/graphql/cost-cache.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { spotifyEnvFor, startTestEmulator, type RunningEmulator } from '../support/emulator.js';
import { TEST_REDIS_URL, newEncryptionKeys, uniqueQueuePrefix } from '../support/test-env.js';
import { spawnService, type ServiceProcess } from '../support/worker-process.js';

// Each request's variables: numbers, which a cost key that took every non-string variable would have kept.
const NUMBERS = Array.from({ length: 18_000 }, (_, i) => i % 10_000);
const REQUESTS = 4_000;
const IN_FLIGHT = 8;

let db: TestDatabase;
let emulator: RunningEmulator;
let api: ServiceProcess;
let graphqlUrl: string;

beforeAll(async () => {
  db = await createTestDatabase('memory');
  emulator = await startTestEmulator({ users: 1 });
  // A small heap: what an anonymous client's requests leave behind shows as a crash within the test.
  api = spawnService(
    'api',
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: db.url,
      DATABASE_POOL_MAX: '2',
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: uniqueQueuePrefix('memory'),
      TOKEN_ENCRYPTION_KEYS: newEncryptionKeys(),
      API_HOST: '127.0.0.1',
      API_PORT: '0',
      RATE_LIMIT_GRAPHQL: '0',
      ...spotifyEnvFor(emulator),
    },
    { nodeOptions: ['--max-old-space-size=128'] },
  );
  const listening = JSON.parse(await api.waitForLine(/API listening/, 60_000)) as { graphql: string };
  graphqlUrl = listening.graphql;
}, 90_000);

afterAll(async () => {
  await api?.stop();
  await emulator?.stop();
  await db?.drop();
});

describe('what anonymous clients send is not kept', () => {
  it(`survives ${REQUESTS} distinct operations, each with about 90 KB of numeric variables, on a 128 MB heap`, { timeout: 240_000 }, async () => {
    const variables = { pages: NUMBERS, first: 5, flag: true };
    let next = 0;
    const statuses = new Map<number, number>();
    const send = async (): Promise<void> => {
      while (next < REQUESTS) {
        const n = next++;
        // A different comment each time: a new document for Apollo, and a new entry for any per-document cache.
        const body = JSON.stringify({ query: `# request ${n}\nquery Probe { __typename }`, variables });
        const response = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, send));

    expect(Object.fromEntries(statuses)).toEqual({ 200: REQUESTS });
    expect(api.child.exitCode).toBeNull();
    const health = await fetch(graphqlUrl.replace(/\/graphql$/, '/healthz'));
    expect(health.status).toBe(200);
    expect(api.lines.filter((line) => /heap out of memory|FATAL ERROR/i.test(line))).toEqual([]);
  });
});

describe('the operation-cost cache', () => {
  it('never counts more bytes than its budget, however many distinct keys arrive', () => {
    const cache = new CostCache();
    for (let i = 0; i < 50_000; i++) cache.set(`${'h'.repeat(64)}|Op${i}|${i},true`, i);
    expect(cache.bytes).toBeLessThanOrEqual(COST_CACHE_BYTES);
    expect(cache.bytes).toBeGreaterThan(COST_CACHE_BYTES / 2);
    // The most recent entries are the ones kept.
    expect(cache.get(`${'h'.repeat(64)}|Op49999|49999,true`)).toBe(49_999);
    expect(cache.get(`${'h'.repeat(64)}|Op0|0,true`)).toBeUndefined();
  });

  it('does not keep a key longer than its limit', () => {
    const cache = new CostCache();
    cache.set('k'.repeat(MAX_COST_KEY_LENGTH + 1), 1);
    expect(cache.bytes).toBe(0);
    cache.set('k'.repeat(MAX_COST_KEY_LENGTH), 1);
    expect(cache.get('k'.repeat(MAX_COST_KEY_LENGTH))).toBe(1);
  });
});
