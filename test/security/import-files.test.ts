import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpotifyApiClient } from '../../services/features/spotify/spotify-api.client.js';
import { SpotifyError } from '../../services/features/spotify/spotify.errors.js';
import type { ExtendedHistoryRow } from '../../services/spotify-emulator/streaming-history.js';
// Spelled from the root: the lint rule keeping services apart matches `../api/*` and means services/api.
import { importIdOf, postGraphql, startApiHarness, type ApiHarness, type LoggedIn } from '../../test/api/api-harness.js';
import { toGlobalId } from '../../services/api/relay/global-id.js';
import { startApiImportWorker, type ApiImportWorker } from '../imports/api-import-worker.js';
import { spawnService } from '../support/worker-process.js';

/**
 * Uploaded streaming histories hold IP addresses and devices: on every path where an import ends, or its user is
 * gone, its file leaves IMPORT_DIR and its job leaves Redis. And the limits on uploads hold when they
 * arrive all at once.
 */

/** The emulator's Web API, but track look-ups wait while `held`, and fail (503) during an `outage`. */
class HeldApi extends SpotifyApiClient {
  held = false;
  outage = false;
  lookups = 0;
  private release: () => void = () => undefined;
  private gate: Promise<void> = Promise.resolve();

  hold(): void {
    this.held = true;
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  letGo(): void {
    this.held = false;
    this.release();
  }

  override async getTrack(accessToken: string, id: string) {
    this.lookups++;
    if (this.held) await this.gate;
    if (this.outage) throw new SpotifyError('server_error', 'Spotify answered 503 (test)', { status: 503, endpoint: 'GET /tracks/{id}' });
    return super.getTrack(accessToken, id);
  }
}

const MAX_BYTES = 2 * 1024 * 1024;
const MAX_USER_BYTES = 3 * 1024 * 1024;
const MAX_PENDING = 2;
const importDir = `/tmp/playlog-import-files-${process.pid}`;
let h: ApiHarness;
let api: HeldApi;
let rows: ExtendedHistoryRow[];
const workers: ApiImportWorker[] = [];

beforeAll(async () => {
  h = await startApiHarness({
    label: 'import_files',
    env: { IMPORT_DIR: importDir, IMPORT_MAX_BYTES: String(MAX_BYTES), IMPORT_MAX_USER_BYTES: String(MAX_USER_BYTES), IMPORT_MAX_PENDING: String(MAX_PENDING) },
    emulator: { users: 4 },
  });
  api = new HeldApi({ apiUrl: h.emulator.apiUrl, timeoutMs: 5_000 });
  const someone = h.emulator.users()[0]!.id;
  const downloaded = await fetch(`${h.emulator.adminUrl}/users/${someone}/streaming-history?from=2026-11-19T00:00:00Z`);
  const text = await downloaded.text();
  expect(downloaded.status, text).toBe(200);
  rows = (JSON.parse(text) as ExtendedHistoryRow[]).slice(0, 40);
  expect(rows.length).toBe(40);
}, 60_000);
afterAll(async () => {
  api?.letGo();
  await Promise.all(workers.map((worker) => worker.stop(true)));
  await h?.stop();
});

async function startWorker(): Promise<ApiImportWorker> {
  const worker = await startApiImportWorker(h, { api, chunkRows: 5, settings: { lockDurationMs: 1_000, stalledIntervalMs: 500, backoffBaseMs: 5, backoffMaxMs: 10 } });
  workers.push(worker);
  return worker;
}

async function stopWorkers(force = false): Promise<void> {
  await Promise.all(workers.splice(0).map((worker) => worker.stop(force)));
}

/** A fresh Spotify user logged in to Playlog (so every test has an account of its own to delete). */
async function newUser(): Promise<LoggedIn> {
  const id = `files${randomUUID().slice(0, 8)}`;
  h.emulator.addUser({ id, playsPerHour: 10 });
  return h.login(id);
}

async function upload(user: LoggedIn, body: RequestInit['body'], extra: RequestInit = {}): Promise<Response> {
  return fetch(`${h.api.url}/imports`, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` }, ...extra });
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const newTrackId = (): string => Array.from(randomBytes(22), (byte) => BASE62[byte % 62]).join('');

/** A streaming history whose tracks nobody has imported yet: every one is looked up on Spotify (held, or failing). */
const freshStreamingHistory = (padding = 0): string => JSON.stringify(rows.map((row) => ({ ...row, spotify_track_uri: `spotify:track:${newTrackId()}` }))) + ' '.repeat(padding);

async function uploadStreamingHistory(user: LoggedIn, padding = 0): Promise<string> {
  const response = await upload(user, freshStreamingHistory(padding));
  expect(response.status).toBe(202);
  return importIdOf(((await response.json()) as { id: string }).id);
}

async function graphql(user: LoggedIn, query: string, variables: Record<string, unknown> = {}) {
  return (await postGraphql(h.graphqlUrl, { query, variables }, { authorization: `Bearer ${user.token}` })).body;
}

/** The status GraphQL shows of the import with this database id. */
const statusOf = async (user: LoggedIn, id: string): Promise<string | undefined> =>
  (await graphql(user, 'query ($id: ID!) { node(id: $id) { ... on Import { status } } }', { id: toGlobalId({ type: 'Import', importId: id }) })).data?.node?.status;

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every job of the import queue, in any state, that is about one of these imports. */
async function jobsOf(importIds: string[]): Promise<string[]> {
  const jobs = await h.queues.import.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed', 'paused', 'waiting-children']);
  return jobs.filter((job) => importIds.includes(job.data.importId)).map((job) => job.id!);
}

interface ErrorBody {
  errors: Array<{ message: string; extensions: { code: string } }>;
}
const errorCode = async (response: Response): Promise<string> => ((await response.json()) as ErrorBody).errors[0]!.extensions.code;

const uploads = async (): Promise<string[]> => (await readdir(importDir)).filter((name) => name.endsWith('.upload'));

/** Nothing of these imports in IMPORT_DIR or in Redis. */
async function expectNothingLeft(importIds: string[]): Promise<void> {
  await waitFor(async () => (await jobsOf(importIds)).length === 0, `the jobs of ${importIds.join(', ')} to go`);
  for (const id of importIds) expect(await uploads()).not.toContain(`${id}.upload`);
}

const deleteAccount = async (user: LoggedIn) =>
  expect((await graphql(user, 'mutation { deleteMyAccount { deletedUserId } }')).data).toEqual({ deleteMyAccount: { deletedUserId: user.globalUserId } });
/** Cancels the import with this database id; the status it then has. */
const cancel = async (user: LoggedIn, id: string) =>
  (await graphql(user, 'mutation ($id: ID!) { cancelImport(input: { id: $id }) { import { status } } }', { id: toGlobalId({ type: 'Import', importId: id }) })).data?.cancelImport?.import
    ?.status;

describe('an import’s file and job are gone', () => {
  it('when the account is deleted with an import queued', async () => {
    await stopWorkers();
    const user = await newUser();
    const id = await uploadStreamingHistory(user);
    expect(await uploads()).toContain(`${id}.upload`);
    await deleteAccount(user);
    await expectNothingLeft([id]);
  });

  it('when the account is deleted with an import running, and the run stores nothing more', async () => {
    const user = await newUser();
    api.hold();
    await startWorker();
    const id = await uploadStreamingHistory(user);
    await waitFor(async () => (await statusOf(user, id)) === 'RUNNING' && api.lookups > 0, 'the import to run');
    await deleteAccount(user);
    expect(await uploads()).not.toContain(`${id}.upload`);
    api.letGo();
    await expectNothingLeft([id]);
    const plays = await h.db.sql.query('select count(*)::int as n from listening_events where user_id = $1', [user.userId]);
    expect(plays.rows[0].n).toBe(0);
  });

  it('when a failed import is cancelled', async () => {
    const user = await newUser();
    api.outage = true;
    const id = await uploadStreamingHistory(user);
    await waitFor(async () => (await statusOf(user, id)) === 'FAILED', 'the import to fail', 30_000);
    api.outage = false;
    // Kept while it can be retried from the dead-letter queue.
    expect(await uploads()).toContain(`${id}.upload`);
    expect(await cancel(user, id)).toBe('CANCELLED');
    await expectNothingLeft([id]);
  });

  it('when an import whose worker died is cancelled', async () => {
    const user = await newUser();
    api.hold();
    const id = await uploadStreamingHistory(user);
    await waitFor(async () => (await statusOf(user, id)) === 'RUNNING' && api.lookups > 0, 'the import to run');
    // The worker dies with the job: its lock is left to expire.
    await stopWorkers(true);
    expect(await cancel(user, id)).toBe('CANCELLED');
    expect(await uploads()).not.toContain(`${id}.upload`);
    api.letGo();
    // The next worker finds the stalled job's import cancelled, and removes the job.
    await startWorker();
    await expectNothingLeft([id]);
  });

  it('when the worker starts: uploads older than a day that belong to no import are swept away', async () => {
    await stopWorkers();
    await mkdir(importDir, { recursive: true });
    const old = join(importDir, `${randomUUID()}.upload`);
    const recent = join(importDir, `${randomUUID()}.upload`);
    const notOurs = join(importDir, 'notes.txt');
    for (const path of [old, recent, notOurs]) await writeFile(path, '[]');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    for (const path of [old, notOurs]) await utimes(path, twoDaysAgo, twoDaysAgo);
    // A queued import's upload, however old, stays.
    const user = await newUser();
    const queued = await uploadStreamingHistory(user);
    await utimes(join(importDir, `${queued}.upload`), twoDaysAgo, twoDaysAgo);

    const env = { ...h.serviceEnv(), IMPORT_DIR: importDir, WORKER_CONCURRENCY: '1', IMPORT_CONCURRENCY: '1' };
    const worker = spawnService('worker', env);
    try {
      await worker.waitForLine(/worker ready/, 30_000);
      const names = await readdir(importDir);
      expect(names).not.toContain(old.split('/').pop());
      expect(names).toContain(recent.split('/').pop());
      expect(names).toContain('notes.txt');
      expect(worker.lines.join('\n')).toMatch(/deleted 1 uploads no import will read again/);
    } finally {
      await worker.stop();
    }
    await cancel(user, queued);
    for (const path of [recent, notOurs]) await rm(path);
  });
});

describe('the limits on uploads', () => {
  it('let exactly IMPORT_MAX_PENDING of ten parallel uploads in, and refuse the rest before their body is read', async () => {
    await stopWorkers();
    const user = await newUser();
    const body = freshStreamingHistory();
    const answers = await Promise.all(Array.from({ length: 10 }, () => upload(user, body)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([...Array<number>(MAX_PENDING).fill(202), ...Array<number>(10 - MAX_PENDING).fill(429)]);
    const accepted = await Promise.all(answers.filter((answer) => answer.status === 202).map(async (answer) => importIdOf(((await answer.json()) as { id: string }).id)));

    // An upload at the limit is answered while its body has not even finished arriving.
    let sent = 0;
    const endless = new Readable({
      read() {
        sent++;
        setTimeout(() => this.push(Buffer.alloc(1024, 0x20)), 5);
      },
    });
    const refused = await upload(user, Readable.toWeb(endless) as ReadableStream, { duplex: 'half' } as RequestInit);
    expect(refused.status).toBe(429);
    expect(await errorCode(refused)).toBe('TOO_MANY_IMPORTS');
    endless.destroy();
    expect(sent).toBeLessThan(1_000);

    for (const id of accepted) expect(await cancel(user, id)).toBe('CANCELLED');
    expect(await uploads()).toEqual([]);
  });

  it('count a failed import’s file towards the user’s disk quota until it is cancelled', async () => {
    const user = await newUser();
    api.outage = true;
    await startWorker();
    const failed = await uploadStreamingHistory(user, 1_500_000);
    await waitFor(async () => (await statusOf(user, failed)) === 'FAILED', 'the import to fail', 20_000);
    api.outage = false;
    await stopWorkers();

    const big = freshStreamingHistory(1_800_000);
    const refused = await upload(user, big);
    expect(refused.status).toBe(413);
    const answer = (await refused.json()) as ErrorBody;
    expect(answer.errors[0]!.extensions.code).toBe('IMPORT_QUOTA_EXCEEDED');
    expect(answer.errors[0]!.message).toMatch(/cancel failed imports/);

    expect(await cancel(user, failed)).toBe('CANCELLED');
    const accepted = await upload(user, big);
    expect(accepted.status).toBe(202);
    await cancel(user, importIdOf(((await accepted.json()) as { id: string }).id));
  });
});
