import { Writable } from 'node:stream';
import type { Queue } from 'bullmq';
import { GraphQLClient, ClientError } from 'graphql-request';
import type { Redis } from 'ioredis';
import { loadApiConfig, type ApiConfig } from '../../services/api/config.js';
import { parseGlobalId } from '../../services/api/relay/global-id.js';
import { startApiServer, type RunningApi } from '../../services/api/start-api-server.js';
import type { MikroORM } from '../../services/features/open-orm.js';
import { createLogger, type Logger } from '../../services/shared/logging/logger.js';
import type { PollJobData } from '../../services/shared/jobs/job-registry.js';
import { openQueues, type Queues } from '../../services/shared/jobs/open-queues.js';
import { createRedisConnection, waitUntilReady } from '../../services/shared/jobs/redis-connection.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { spotifyEnvFor, startTestEmulator, type EmulatorOptions, type RunningEmulator } from '../support/emulator.js';
import { TEST_REDIS_URL, newEncryptionKeys, uniqueQueuePrefix } from '../support/test-env.js';

/** Log lines an API wrote, captured in memory (JSON, one per entry). */
export class CapturedLogs {
  readonly lines: string[] = [];
  readonly logger: Logger;

  constructor() {
    const lines = this.lines;
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    this.logger = createLogger({ service: 'api', level: 'debug', destination });
  }

  entries(): Array<Record<string, unknown>> {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

export interface ApiHarness {
  api: RunningApi;
  config: ApiConfig;
  db: TestDatabase;
  emulator: RunningEmulator;
  logs: CapturedLogs;
  /** A view of the API's poll queue (same prefix), to see which jobs it added. */
  queue: Queue<PollJobData>;
  /** Every queue of the job registry, with the API's prefix. */
  queues: Queues;
  redis: Redis;
  graphqlUrl: string;
  /** A graphql-request client, with a session token when given. */
  client(token?: string, url?: string): GraphQLClient;
  /** Logs a synthetic Spotify user in through startSpotifyLogin → emulator /authorize → completeSpotifyLogin. */
  login(spotifyUserId?: string): Promise<LoggedIn>;
  /** The environment the API was started with: for a worker or another service as a child process on the same stack. */
  serviceEnv(): Record<string, string>;
  /** Starts another API on the same database, Redis prefix and emulator, with other settings. */
  startAnotherApi(env: Record<string, string>, options?: { orm?: MikroORM }): Promise<RunningApi>;
  stop(): Promise<void>;
}

export interface LoggedIn {
  token: string;
  /** The user's database id (uuid). */
  userId: string;
  /** The User's global id, as GraphQL shows it. */
  globalUserId: string;
  spotifyUserId: string;
}

export interface HarnessOptions {
  label: string;
  env?: Record<string, string>;
  emulator?: EmulatorOptions;
  /** An ORM the test owns (e.g. one that counts queries) instead of the API's own. */
  orm?: (db: TestDatabase) => Promise<MikroORM>;
}

/**
 * The API in-process on port 0 against a database of this test file's own, real Redis with a unique
 * queue prefix, and an in-process Spotify emulator. Stop it in afterAll.
 */
export async function startApiHarness(options: HarnessOptions): Promise<ApiHarness> {
  const db = await createTestDatabase(options.label);
  const emulator = await startTestEmulator({ users: 4, ...options.emulator });
  const logs = new CapturedLogs();
  const prefix = uniqueQueuePrefix(options.label);
  const baseEnv: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'debug',
    DATABASE_URL: db.url,
    DATABASE_POOL_MAX: '5',
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    TOKEN_ENCRYPTION_KEYS: newEncryptionKeys(),
    API_HOST: '127.0.0.1',
    API_PORT: '0',
    METRICS_HOST: '127.0.0.1',
    API_METRICS_PORT: '0',
    // The API without a built web app, whether or not one was built in this checkout (web-app.test.ts serves one).
    WEB_DIST_DIR: 'test/api/no-web-app',
    ...spotifyEnvFor(emulator),
  };
  const config = loadApiConfig({ ...baseEnv, ...options.env });
  const ownOrm = options.orm ? await options.orm(db) : undefined;
  const api = await startApiServer(config, { logger: logs.logger, ...(ownOrm ? { orm: ownOrm } : {}) });
  const redis = createRedisConnection(TEST_REDIS_URL, 'producer');
  await waitUntilReady(redis);
  const queues = openQueues(redis, prefix);
  const queue = queues.poll;
  const graphqlUrl = `${api.url}/graphql`;
  const others: RunningApi[] = [];

  const client = (token?: string, url = graphqlUrl) => new GraphQLClient(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  return {
    api,
    config,
    db,
    emulator,
    logs,
    queue,
    queues,
    redis,
    graphqlUrl,
    client,
    async login(spotifyUserId = emulator.users()[0]!.id) {
      const session = await loginThroughGraphql(client(), spotifyUserId);
      return { ...session, spotifyUserId };
    },
    serviceEnv: () => ({ ...baseEnv, ...options.env }),
    async startAnotherApi(env, more = {}) {
      const other = await startApiServer(loadApiConfig({ ...baseEnv, ...options.env, ...env }), { logger: logs.logger, ...more });
      others.push(other);
      return other;
    },
    async stop() {
      await Promise.all(others.map((other) => other.stop()));
      await api.stop();
      await ownOrm?.close(true);
      for (const { queue: each } of queues.all()) await each.obliterate({ force: true }).catch(() => undefined);
      await queues.close();
      await deleteKeys(redis, `${prefix}*`);
      redis.disconnect();
      await emulator.stop();
      await db.drop();
    },
  };
}

export const START_LOGIN = /* GraphQL */ `
  mutation Start {
    startSpotifyLogin {
      authorizationUrl
      state
    }
  }
`;

export const COMPLETE_LOGIN = /* GraphQL */ `
  mutation Complete($input: CompleteSpotifyLoginInput!) {
    completeSpotifyLogin(input: $input) {
      session {
        token
        expiresAt
        user {
          id
          spotifyId
          displayName
          status
        }
      }
      errors {
        code
        message
      }
    }
  }
`;

interface StartResult {
  startSpotifyLogin: { authorizationUrl: string; state: string };
}
export interface CompletedLogin {
  session: { token: string; expiresAt: string; user: { id: string; spotifyId: string; displayName: string | null; status: string } } | null;
  errors: Array<{ code: string; message: string }>;
}
interface CompleteResult {
  completeSpotifyLogin: CompletedLogin;
}

/** The database id (uuid) inside a User's global id, for tests that look at the tables. */
export function userIdOf(globalId: string): string {
  const key = parseGlobalId(globalId);
  if (key?.type !== 'User') throw new Error(`not a User id: ${globalId}`);
  return key.userId;
}

/** The database id (uuid) inside an Import's global id. */
export function importIdOf(globalId: string): string {
  const key = parseGlobalId(globalId);
  if (key?.type !== 'Import') throw new Error(`not an Import id: ${globalId}`);
  return key.importId;
}

/** Approves a login on the emulator's /authorize as this synthetic user; returns Spotify's redirect. */
export async function approveOnEmulator(authorizationUrl: string, spotifyUserId: string, extra: Record<string, string> = {}): Promise<URL> {
  const url = new URL(authorizationUrl);
  url.searchParams.set('user', spotifyUserId);
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`emulator /authorize answered ${response.status} without a redirect`);
  return new URL(location);
}

export async function startLogin(client: GraphQLClient): Promise<StartResult['startSpotifyLogin']> {
  return (await client.request<StartResult>(START_LOGIN)).startSpotifyLogin;
}

/** completeSpotifyLogin's payload: a session, or the login's typed errors. */
export async function completeLogin(client: GraphQLClient, input: { code?: string | null; state: string; error?: string | null }): Promise<CompletedLogin> {
  return (await client.request<CompleteResult>(COMPLETE_LOGIN, { input })).completeSpotifyLogin;
}

/** The codes of a failed login's typed errors (completeSpotifyLogin's payload); a login that succeeded fails the test. */
export async function loginErrorCodes(request: Promise<CompletedLogin>): Promise<string[]> {
  const payload = await request;
  if (payload.session) throw new Error('expected the login to fail, but it returned a session');
  return payload.errors.map((error) => error.code);
}

/** completeSpotifyLogin's session; fails the test with the login's errors when there is none. */
export async function completeLoginSession(client: GraphQLClient, input: { code?: string | null; state: string; error?: string | null }) {
  const payload = await completeLogin(client, input);
  if (!payload.session) throw new Error(`the login failed: ${payload.errors.map((error) => `${error.code}: ${error.message}`).join('; ')}`);
  return payload.session;
}

export async function loginThroughGraphql(client: GraphQLClient, spotifyUserId: string): Promise<{ token: string; userId: string; globalUserId: string }> {
  const started = await startLogin(client);
  const redirect = await approveOnEmulator(started.authorizationUrl, spotifyUserId);
  const session = await completeLoginSession(client, { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state')! });
  return { token: session.token, userId: userIdOf(session.user.id), globalUserId: session.user.id };
}

/** The GraphQL errors' codes of a failed request (graphql-request throws ClientError). */
export async function errorCodes(request: Promise<unknown>): Promise<string[]> {
  try {
    await request;
  } catch (error) {
    if (error instanceof ClientError) return (error.response.errors ?? []).map((e) => String(e.extensions?.code));
    throw error;
  }
  throw new Error('expected the request to fail');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are inspected ad hoc by tests
type Json = any;

/** POSTs a raw GraphQL body; returns status and parsed JSON (or text). */
export async function postGraphql(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: callers look at text
  }
  return { status: response.status, body: parsed as Json, text };
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

/** Counts rows of a table for a user. */
export async function countRows(db: TestDatabase, table: string, userId: string): Promise<number> {
  const column = table === 'users' ? 'id' : 'user_id';
  const { rows } = await db.sql.query(`select count(*)::int as n from ${table} where ${column} = $1`, [userId]);
  return rows[0].n as number;
}
