import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGlobalIdOf } from '../../services/api/relay/global-id.js';
import { exportQueue } from '../../services/shared/jobs/job-registry.js';
import { createRedisConnection } from '../../services/shared/jobs/redis-connection.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { exportHandler } from '../../services/worker/export/export.handler.js';
import { createQueueWorker } from '../../services/worker/jobs/queue-worker.js';
import { CapturedLogs, startApiHarness, type ApiHarness, type LoggedIn } from '../../test/api/api-harness.js';
import { makePlay } from '../support/plays.js';
import { TEST_REDIS_URL } from '../support/test-env.js';

/**
 * One listener asking for export after export (issue 29, finding 4): what they keep is capped, in count
 * (EXPORT_MAX_KEPT) and in bytes (EXPORT_MAX_USER_BYTES), on disk and in the table, their oldest replaced;
 * and their large exports take turns with everyone else's, so another listener's small export is not
 * left waiting behind them. Order of completion is what is measured, never time.
 */
let h: ApiHarness;
let dir: string;
let connection: Redis;
let worker: Worker | undefined;
let heavy: LoggedIn;
let light: LoggedIn;
let huge: LoggedIn;
const logs = new CapturedLogs();
const MAX_PENDING = 2;
const MAX_KEPT = 3;
const HEAVY_PLAYS = 400;

const REQUEST = `mutation ($format: ExportFormat!) { requestExport(input: { format: $format }) { export { id status } errors { code message } } }`;
const EXPORT = `query ($id: ID!) { export(id: $id) { id status bytes error } }`;

interface ExportState {
  id: string;
  status: string;
  bytes: number | null;
  error: string | null;
}

/** Export ids are global ids; the table and the files use the export's own uuid. */
const uuidOf = (globalId: string): string => decodeGlobalIdOf(globalId, 'Export', 'id').exportId;

async function requestExport(who: LoggedIn, format: 'JSON' | 'CSV'): Promise<string> {
  const { requestExport: answer } = await h.client(who.token).request<{ requestExport: { export: { id: string } | null; errors: unknown[] } }>(REQUEST, { format });
  expect(answer.errors).toEqual([]);
  return answer.export!.id;
}

async function waitForExport(who: LoggedIn, id: string): Promise<ExportState> {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const { export: found } = await h.client(who.token).request<{ export: ExportState | null }>(EXPORT, { id });
    if (found && (found.status === 'COMPLETED' || found.status === 'FAILED')) return found;
  }
  throw new Error(`export ${id} did not finish`);
}

/**
 * The worker's run of an export is over only once it has logged its outcome: its row reads COMPLETED as
 * soon as it commits, and the files of the exports that completion replaced are deleted after that.
 */
async function waitForWorkerRun(id: string): Promise<void> {
  const exportId = uuidOf(id);
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
    if (logs.entries().some((entry) => entry.exportId === exportId && String(entry.msg).startsWith('export completed'))) return;
  }
  throw new Error(`the worker did not report export ${id} completed`);
}

/** A worker of the export queue, as the worker process runs one, with these limits. */
function startWorker(limits: { turnMs: number; maxUserBytes: number; batchRows: number }): Worker {
  const { worker: started } = createQueueWorker(
    exportQueue,
    exportHandler({ exportDir: dir, ...limits }),
    { orm: h.db.orm, connection, logger: logs.logger, pauseSpotify: async () => undefined },
    { prefix: h.serviceEnv().QUEUE_PREFIX!, concurrency: 1, lockDurationMs: 10_000, stalledIntervalMs: 5_000, maxStalledCount: 2, backoffBaseMs: 20, backoffMaxMs: 200, quotaPauseMs: 60_000 },
  );
  void started.run();
  return started;
}

async function stopWorker(): Promise<void> {
  await worker?.close();
  worker = undefined;
}

/** The user's export rows, oldest first. */
async function rowsOf(who: LoggedIn): Promise<Array<{ id: string; status: string; bytes: number }>> {
  const { rows } = await h.db.sql.query<{ id: string; status: string; bytes: string }>('select id, status, bytes from exports where user_id = $1 order by created_at, id', [who.userId]);
  return rows.map((row) => ({ ...row, bytes: Number(row.bytes) }));
}

/** The files in EXPORT_DIR of these exports (finished or partial), with their sizes. */
async function filesOf(ids: readonly string[]): Promise<Array<{ name: string; size: number }>> {
  const names = (await readdir(dir)).filter((name) => ids.some((id) => name.startsWith(id)));
  return Promise.all(names.map(async (name) => ({ name, size: (await stat(join(dir, name))).size })));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'playlog-export-caps-'));
  h = await startApiHarness({ label: 'export_caps', env: { EXPORT_DIR: dir, EXPORT_MAX_PENDING: String(MAX_PENDING), EXPORT_MAX_KEPT: String(MAX_KEPT), RATE_LIMIT_GRAPHQL: '0' } });
  const [a, b, c] = h.emulator.users();
  heavy = await h.login(a!.id);
  light = await h.login(b!.id);
  huge = await h.login(c!.id);
  const playsOf = (count: number) => Array.from({ length: count }, (_, i) => makePlay(i % 50, new Date(Date.UTC(2025, 0, 1) + i * 600_000).toISOString()));
  await ingestPlays(h.db.orm.em.fork(), { userId: heavy.userId, plays: playsOf(HEAVY_PLAYS), source: 'import' });
  await ingestPlays(h.db.orm.em.fork(), { userId: light.userId, plays: playsOf(5), source: 'import' });
  for (let i = 0; i < 4; i++) await ingestPlays(h.db.orm.em.fork(), { userId: huge.userId, plays: playsOf(HEAVY_PLAYS).map((play) => ({ ...play, playedAt: new Date(Date.parse(play.playedAt as string) + (i + 1) * 400 * 600_000).toISOString() })), source: 'import' });
  connection = createRedisConnection(TEST_REDIS_URL, 'worker');
}, 60_000);

afterAll(async () => {
  await stopWorker();
  connection?.disconnect();
  await h?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('one listener’s exports', () => {
  it('never keep more than EXPORT_MAX_KEPT rows nor EXPORT_MAX_USER_BYTES of files: the oldest are replaced', async () => {
    // What one JSON export of the listener weighs: the bytes cap is set to two and a half of them.
    worker = startWorker({ turnMs: 60_000, maxUserBytes: 1024 ** 3, batchRows: 100 });
    const first = await requestExport(heavy, 'JSON');
    const json = (await waitForExport(heavy, first)).bytes!;
    await stopWorker();
    const cap = Math.floor(2.5 * json);
    worker = startWorker({ turnMs: 60_000, maxUserBytes: cap, batchRows: 100 });

    // The rules, written out: asking replaces the oldest finished past the count; completing keeps the newest within the bytes.
    let model: Array<{ id: string; done: boolean; bytes: number }> = [{ id: uuidOf(first), done: true, bytes: json }];
    const asked = [uuidOf(first)];
    let replacedAsking = 0;
    let replacedCompleting = 0;
    for (const format of ['CSV', 'CSV', 'CSV', 'JSON', 'JSON', 'JSON', 'CSV', 'JSON'] as const) {
      const id = await requestExport(heavy, format);
      const excess = model.length + 1 - MAX_KEPT;
      if (excess > 0) {
        const gone = new Set(model.filter((kept) => kept.done).slice(0, excess));
        replacedAsking += gone.size;
        model = model.filter((kept) => !gone.has(kept));
      }
      model.push({ id: uuidOf(id), done: false, bytes: 0 });
      asked.push(uuidOf(id));
      expect((await rowsOf(heavy)).map((row) => row.id)).toEqual(model.map((kept) => kept.id));

      const state = await waitForExport(heavy, id);
      expect(state.status).toBe('COMPLETED');
      await waitForWorkerRun(id);
      const mine = model.at(-1)!;
      Object.assign(mine, { done: true, bytes: state.bytes! });
      let total = mine.bytes;
      let dropping = false;
      const keep = new Set(model);
      for (const other of model.slice(0, -1).reverse()) {
        if (dropping || total + other.bytes > cap) {
          dropping = true;
          keep.delete(other);
          replacedCompleting++;
        } else total += other.bytes;
      }
      model = model.filter((kept) => keep.has(kept));

      // In the table: at most the count, exactly the newest the rules keep.
      const rows = await rowsOf(heavy);
      expect(rows.map((row) => row.id)).toEqual(model.map((kept) => kept.id));
      expect(rows.length).toBeLessThanOrEqual(MAX_KEPT);
      expect(rows.reduce((sum, row) => sum + row.bytes, 0)).toBeLessThanOrEqual(cap);
      // On disk: the kept exports' finished files and nothing else of the listener's, partial files included.
      const files = await filesOf(asked);
      expect(files.every((file) => /^[0-9a-f-]{36}\.(csv|json)$/.test(file.name))).toBe(true);
      expect(files.map((file) => file.name.split('.')[0]).sort()).toEqual(rows.map((row) => row.id).sort());
      expect(files.reduce((sum, file) => sum + file.size, 0)).toBeLessThanOrEqual(cap);
      expect(files.length).toBeLessThanOrEqual(MAX_KEPT);
    }
    // Both caps did their part.
    expect(replacedAsking).toBeGreaterThan(0);
    expect(replacedCompleting).toBeGreaterThan(0);
    // A replaced export is gone from GraphQL too.
    const { export: gone } = await h.client(heavy.token).request<{ export: unknown }>(EXPORT, { id: first });
    expect(gone).toBeNull();
  });

  it('fails, keeping no file, when one export alone is larger than EXPORT_MAX_USER_BYTES', async () => {
    // The listener with four times the plays: their JSON export is larger than the cap (2.5 of the other's).
    const id = await requestExport(huge, 'JSON');
    const state = await waitForExport(huge, id);
    expect(state.status).toBe('FAILED');
    expect(state.error).toMatch(/EXPORT_MAX_USER_BYTES/);
    expect(await filesOf([uuidOf(id)])).toEqual([]);
  });
});

describe('exports of several listeners', () => {
  it('take turns: a small export asked for behind a listener’s large ones completes first, and theirs lose nothing', async () => {
    await stopWorker();
    // Queued while no worker runs: first come, first served would write the two large ones first.
    const large = [await requestExport(heavy, 'JSON'), await requestExport(heavy, 'JSON')];
    const small = await requestExport(light, 'CSV');
    // No turn to speak of: an export hands the worker over after every batch whenever another waits.
    worker = startWorker({ turnMs: 0, maxUserBytes: 1024 ** 3, batchRows: 20 });
    const states = await Promise.all([...large.map((id) => waitForExport(heavy, id)), waitForExport(light, small)]);
    expect(states.map((state) => state.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);

    const { rows } = await h.db.sql.query<{ id: string; finished_at: Date }>('select id, finished_at from exports where id = any($1::uuid[]) order by finished_at', [[...large, small].map(uuidOf)]);
    expect(rows[0]!.id).toBe(uuidOf(small));
    expect(logs.lines.some((line) => line.includes(uuidOf(large[0]!)) && line.includes('paused after its turn'))).toBe(true);

    // Taking turns loses and repeats nothing: both large files hold every play once, oldest first.
    const { rows: stored } = await h.db.sql.query<{ played_at: Date }>('select played_at from listening_events where user_id = $1 order by played_at, track_id', [heavy.userId]);
    for (const id of large) {
      const response = await fetch(`${h.api.url}/exports/${id}/download`, { headers: { authorization: `Bearer ${heavy.token}` } });
      const plays = (await response.json()) as Array<{ playedAt: string }>;
      expect(plays.map((play) => play.playedAt)).toEqual(stored.map((play) => play.played_at.toISOString()));
    }
    // Their turns used no attempt, and left no partial file behind.
    for (const id of large) {
      // The row is completed inside the attempt, a moment before BullMQ records the attempt: wait for the queue too.
      const jobId = `export-${uuidOf(id)}`;
      for (const deadline = Date.now() + 5_000; (await h.queues.export.getJobState(jobId)) !== 'completed' && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await h.queues.export.getJob(jobId))?.attemptsMade).toBe(1);
    }
    expect((await readdir(dir)).filter((name) => name.includes('.partial-'))).toEqual([]);
  });
});
