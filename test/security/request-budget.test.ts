import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type LoggedIn } from '../../test/api/api-harness.js';

/**
 * The probe's finding: one listener's concurrent statistics took every connection of the pool while another's
 * smallest query waited, a request had no deadline, and its work went on after its client had gone.
 * Here the statistics rollups are locked by the test (as a long recount would hold its connection), so one
 * listener's statistics wait in Postgres as long as the test likes; the other listener's history does not
 * touch those tables.
 */
const DEADLINE_SECONDS = 3;
let harness: ApiHarness;
let heavy: LoggedIn;
let bystander: LoggedIn;
let locker: pg.PoolClient | undefined;

const SUMMARY = '{ listeningSummary { plays } }';
const HISTORY = '{ listeningHistory(first: 5) { totalCount } }';

beforeAll(async () => {
  harness = await startApiHarness({
    label: 'request_budget',
    env: { DATABASE_POOL_MAX: '4', API_USER_DB_CONNECTIONS: '1', API_USER_DB_QUEUE: '6', API_REQUEST_TIMEOUT_SECONDS: String(DEADLINE_SECONDS) },
  });
  const users = harness.emulator.users();
  heavy = await harness.login(users[0]!.id);
  bystander = await harness.login(users[1]!.id);
});
afterEach(async () => unlockRollups());
afterAll(async () => {
  await unlockRollups();
  await harness?.stop();
});

async function lockRollups(): Promise<void> {
  locker = await harness.db.sql.connect();
  await locker.query('begin');
  await locker.query('lock table stats_quarters, stats_days, stats_clock, stats_tracks in access exclusive mode');
}

/** As a long recount of the listener's rollups holds it. */
async function lockUserRow(userId: string): Promise<void> {
  locker = await harness.db.sql.connect();
  await locker.query('begin');
  await locker.query('select 1 from users where id = $1 for update', [userId]);
}

async function unlockRollups(): Promise<void> {
  if (!locker) return;
  await locker.query('rollback');
  locker.release();
  locker = undefined;
}

/** Statements of the API waiting on the test's lock, as Postgres sees them. */
async function waitingStatements(): Promise<number> {
  const { rows } = await harness.db.sql.query<{ n: number }>(
    "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()",
  );
  return rows[0]!.n;
}

async function until(condition: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - started;
}

/** A GraphQL request as a client sends it, with its answer's error codes. */
async function ask(who: LoggedIn, query: string, signal?: AbortSignal): Promise<{ ms: number; codes: string[]; body: { data?: unknown; errors?: Array<{ extensions?: Record<string, unknown> }> } }> {
  const started = Date.now();
  const response = await fetch(harness.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${who.token}` },
    body: JSON.stringify({ query }),
    ...(signal && { signal }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: Array<{ extensions?: Record<string, unknown> }> };
  return { ms: Date.now() - started, codes: (body.errors ?? []).map((error) => String(error.extensions?.code)), body };
}

describe('bounded database work per request and per listener', () => {
  it('one listener’s stuck statistics take only their share of the pool: another listener’s history answers at once', async () => {
    await lockRollups();
    const stuck = Array.from({ length: 6 }, () => ask(heavy, SUMMARY));
    await until(async () => (await waitingStatements()) >= 1, 5_000);
    const answer = await ask(bystander, HISTORY);
    expect(answer.codes).toEqual([]);
    expect(answer.ms).toBeLessThan(1_000);
    // The heavy listener runs one statement at a time (API_USER_DB_CONNECTIONS=1): the others wait in the API, not in Postgres.
    expect(await waitingStatements()).toBe(1);
    await unlockRollups();
    for (const result of await Promise.all(stuck)) expect(result.codes).toEqual([]);
  });

  it('a request that runs past its deadline answers TIMEOUT, and its statement is cancelled in Postgres', async () => {
    await lockRollups();
    const answer = await ask(heavy, SUMMARY);
    expect(answer.codes).toEqual(['TIMEOUT']);
    expect(answer.body.errors![0]!.extensions).toMatchObject({ deadlineSeconds: DEADLINE_SECONDS });
    expect(answer.ms).toBeGreaterThanOrEqual(DEADLINE_SECONDS * 1000 - 100);
    expect(answer.ms).toBeLessThan(DEADLINE_SECONDS * 1000 + 2_000);
    // The lock is still held: nothing of the request is left waiting on it.
    await until(async () => (await waitingStatements()) === 0, 1_000);
  });

  it('a request its client abandons stops using the database within a second', async () => {
    await lockRollups();
    const client = new AbortController();
    const abandoned = ask(heavy, SUMMARY, client.signal).catch((error: unknown) => error);
    await until(async () => (await waitingStatements()) === 1, 5_000);
    client.abort();
    expect(await abandoned).toBeInstanceOf(Error);
    const took = await until(async () => (await waitingStatements()) === 0, 1_000);
    expect(took).toBeLessThan(1_000);
  });

  it('a listener with too much work waiting gets BUSY with a retry hint, not an endless queue', async () => {
    await lockRollups();
    // One runs, six wait (API_USER_DB_QUEUE=6): the rest are refused at once.
    const answers = await Promise.all(Array.from({ length: 10 }, () => ask(heavy, SUMMARY)));
    const busy = answers.filter((answer) => answer.codes.includes('BUSY'));
    expect(busy.length).toBeGreaterThanOrEqual(3);
    for (const answer of busy) {
      expect(answer.ms).toBeLessThan(1_000);
      expect(answer.body.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
  });

  it('a listener’s concurrent zone changes hold at most their share of connections and end BUSY, never queueing in Postgres', async () => {
    await lockUserRow(heavy.userId);
    const update = 'mutation ($zone: String!) { updateSettings(input: { timeZone: $zone }) { user { timeZone } } }';
    const changes = Array.from({ length: 12 }, (_, index) =>
      fetch(harness.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${heavy.token}` },
        body: JSON.stringify({ query: update, variables: { zone: index % 2 ? 'Europe/Paris' : 'Asia/Tokyo' } }),
      }).then(async (response) => ((await response.json()) as { errors?: Array<{ extensions: { code: string } }> }).errors?.map((error) => error.extensions.code) ?? []),
    );
    await until(async () => (await waitingStatements()) >= 1, 5_000);
    expect(await waitingStatements()).toBe(1);
    const answer = await ask(bystander, HISTORY);
    expect(answer.codes).toEqual([]);
    expect(answer.ms).toBeLessThan(1_000);
    for (const codes of await Promise.all(changes)) expect(['BUSY', 'TIMEOUT']).toContain(codes[0]);
  });
});
