import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportQueue } from '../../services/shared/jobs/job-registry.js';
import { createRedisConnection } from '../../services/shared/jobs/redis-connection.js';
import { createLogger } from '../../services/shared/logging/logger.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { exportHandler } from '../../services/worker/export/export.handler.js';
import { createQueueWorker } from '../../services/worker/jobs/queue-worker.js';
import { startApiHarness, type ApiHarness, type LoggedIn } from './api-harness.js';
import { makePlay } from '../support/plays.js';
import { TEST_REDIS_URL } from '../support/test-env.js';
import { parseCsv } from '../support/csv-parser.js';

let h: ApiHarness;
let dir: string;
let user: LoggedIn;
let other: LoggedIn;
let worker: Worker;
let connection: Redis;

const REQUEST = `mutation ($format: ExportFormat!) {
  requestExport(input: { format: $format, clientMutationId: "x1" }) {
    clientMutationId
    export { id status format }
    errors { code message }
  }
}`;
const EXPORT = `query ($id: ID!) { export(id: $id) { id status format rows skipped bytes createdAt expiresAt downloadUrl } }`;
const EXPORTS = `{ exports(first: 10) { totalCount edges { node { id status } } } }`;

interface ExportAnswer {
  id: string;
  status: string;
  format: string;
  rows: number | null;
  skipped: number | null;
  bytes: number | null;
  expiresAt: string;
  downloadUrl: string | null;
}

async function requestExport(who: LoggedIn, format: string) {
  const answer = await h.client(who.token).request<{ requestExport: { clientMutationId: string; export: { id: string; status: string } | null; errors: Array<{ code: string }> } }>(REQUEST, { format });
  return answer.requestExport;
}

async function waitForExport(who: LoggedIn, id: string): Promise<ExportAnswer> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { export: found } = await h.client(who.token).request<{ export: ExportAnswer | null }>(EXPORT, { id });
    if (found && (found.status === 'COMPLETED' || found.status === 'FAILED')) return found;
    if (Date.now() > deadline) throw new Error(`export ${id} not done: ${JSON.stringify(found)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const download = (url: string, token?: string) => fetch(`${h.api.url}${url}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'playlog-export-api-'));
  h = await startApiHarness({ label: 'api_exports', env: { EXPORT_DIR: dir, EXPORT_MAX_PENDING: '2' } });
  user = await h.login(h.emulator.users()[0]!.id);
  other = await h.login(h.emulator.users()[1]!.id);
  const plays = Array.from({ length: 30 }, (_, i) => makePlay(i, new Date(Date.UTC(2025, 2, 1) + i * 600_000).toISOString()));
  plays[3] = makePlay(3, plays[3]!.playedAt as string, { track: { ...plays[3]!.track, name: 'Line\r\nbreak, "quoted"' } });
  await ingestPlays(h.db.orm.em.fork(), { userId: user.userId, plays, source: 'import' });
  connection = createRedisConnection(TEST_REDIS_URL, 'worker');
  const logger = createLogger({ service: 'test', level: 'silent' });
  ({ worker } = createQueueWorker(exportQueue, exportHandler({ exportDir: dir, batchRows: 7, turnMs: 60_000, maxUserBytes: 1024 ** 3 }), { orm: h.db.orm, connection, logger, pauseSpotify: async () => undefined }, {
    prefix: h.serviceEnv().QUEUE_PREFIX!,
    concurrency: 1,
    lockDurationMs: 5_000,
    stalledIntervalMs: 2_000,
    maxStalledCount: 2,
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    quotaPauseMs: 60_000,
  }));
});

afterAll(async () => {
  await worker?.close();
  connection?.disconnect();
  await h?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('personal exports over the API', () => {
  let csvExport: ExportAnswer;
  const pending: string[] = [];

  it('writes a requested CSV export that its owner downloads, row by row as stored', async () => {
    const requested = await requestExport(user, 'CSV');
    expect(requested).toMatchObject({ clientMutationId: 'x1', export: { status: 'QUEUED' }, errors: [] });
    void worker.run();
    await worker.waitUntilReady();
    csvExport = await waitForExport(user, requested.export!.id);
    expect(csvExport).toMatchObject({ status: 'COMPLETED', format: 'CSV', rows: 30, skipped: 0 });
    expect(Date.parse(csvExport.expiresAt) - Date.now()).toBeGreaterThan(71 * 3_600_000);
    const response = await download(csvExport.downloadUrl!, user.token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="playlog-csv-\d{4}-\d\d-\d\d\.csv"$/);
    const text = await response.text();
    expect(Buffer.byteLength(text)).toBe(csvExport.bytes);
    const [, ...records] = parseCsv(text);
    const { rows } = await h.db.sql.query<{ played_at: Date; track_id: string; name: string }>(
      `select e.played_at, e.track_id, t.name from listening_events e join tracks t on t.id = e.track_id where e.user_id = $1 order by e.played_at, e.track_id`,
      [user.userId],
    );
    expect(records.map((fields) => [fields[0], fields[3], fields[4]])).toEqual(rows.map((row) => [row.played_at.toISOString(), row.track_id, row.name]));
    expect(records.some((fields) => fields[4] === 'Line\r\nbreak, "quoted"')).toBe(true);
  });

  it('lists the exports and finds one by node', async () => {
    const answer = await h.client(user.token).request<{ exports: { totalCount: number; edges: Array<{ node: { id: string } }> } }>(EXPORTS);
    expect(answer.exports.totalCount).toBe(1);
    expect(answer.exports.edges.map((edge) => edge.node.id)).toEqual([csvExport.id]);
    const node = await h.client(user.token).request<{ node: { __typename: string; id: string } | null }>(`query ($id: ID!) { node(id: $id) { __typename id } }`, { id: csvExport.id });
    expect(node.node).toEqual({ __typename: 'Export', id: csvExport.id });
  });

  it('shows another user nothing: null in GraphQL, 404 on download, as for an id of nothing', async () => {
    const theirs = await h.client(other.token).request<{ export: unknown; exports: { totalCount: number } }>(`query ($id: ID!) { export(id: $id) { id } exports { totalCount } }`, { id: csvExport.id });
    expect(theirs).toEqual({ export: null, exports: { totalCount: 0 } });
    const forOther = await download(csvExport.downloadUrl!, other.token);
    const forNothing = await download('/exports/WyJYIiwiMDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAwIl0/download', user.token);
    expect(forOther.status).toBe(404);
    expect(forNothing.status).toBe(404);
    const bodies = (await Promise.all([forOther.json(), forNothing.json()])) as Array<{ errors: Array<{ message: string; extensions: { code: string } }> }>;
    expect(bodies[0]!.errors.map((error) => [error.message, error.extensions.code])).toEqual(bodies[1]!.errors.map((error) => [error.message, error.extensions.code]));
    expect((await download(csvExport.downloadUrl!)).status).toBe(401);
  });

  it('writes ListenBrainz and JSON exports', async () => {
    const lb = await waitForExport(user, (await requestExport(user, 'LISTENBRAINZ_JSONL')).export!.id);
    const lines = (await (await download(lb.downloadUrl!, user.token)).text()).trimEnd().split('\n');
    const { rows } = await h.db.sql.query<{ played_at: Date; ms_played: number; name: string; artists: string }>(
      `select e.played_at, e.ms_played, t.name,
              (select string_agg(ar.name, ', ' order by ta.position) from track_artists ta join artists ar on ar.id = ta.artist_id where ta.track_id = t.id) as artists
         from listening_events e join tracks t on t.id = e.track_id where e.user_id = $1 order by e.played_at, e.track_id`,
      [user.userId],
    );
    expect(lines).toHaveLength(rows.length);
    lines.forEach((line, i) => {
      const listen = JSON.parse(line) as { listened_at: number; track_metadata: { track_name: string; artist_name: string } };
      const play = rows[i]!;
      expect(listen.listened_at).toBe(Math.floor((play.played_at.getTime() - play.ms_played) / 1000));
      expect(listen.track_metadata).toMatchObject({ track_name: play.name, artist_name: play.artists });
      expect(listen.track_metadata.track_name).not.toBe('');
    });
    const json = await waitForExport(user, (await requestExport(user, 'JSON')).export!.id);
    const response = await download(json.downloadUrl!, user.token);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await response.json()) as unknown[]).toHaveLength(30);
  });

  it('refuses more pending exports than EXPORT_MAX_PENDING with a typed error', async () => {
    await worker.pause();
    try {
      const first = await requestExport(user, 'CSV');
      const second = await requestExport(user, 'CSV');
      expect([first.errors, second.errors]).toEqual([[], []]);
      pending.push(first.export!.id, second.export!.id);
      const refused = await requestExport(user, 'CSV');
      expect(refused.export).toBeNull();
      expect(refused.errors.map((error) => error.code)).toEqual(['TOO_MANY_PENDING_EXPORTS']);
    } finally {
      worker.resume();
    }
    for (const id of pending) expect((await waitForExport(user, id)).status).toBe('COMPLETED');
  });

  it('is gone, file and row, once expired: 404 and null', async () => {
    await h.db.sql.query(`update exports set expires_at = now() - interval '1 second' where id = (select id from exports where file_path like '%.csv' and status = 'completed' order by created_at limit 1)`);
    expect((await download(csvExport.downloadUrl!, user.token)).status).toBe(404);
    expect((await h.client(user.token).request<{ export: unknown }>(EXPORT, { id: csvExport.id })).export).toBeNull();
  });

  it('deletes every export file and row with the account', async () => {
    const { rows } = await h.db.sql.query<{ n: string }>(`select count(*) as n from exports where user_id = $1 and file_path is not null`, [user.userId]);
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
    await h.client(user.token).request(`mutation { deleteMyAccount { deletedUserId } }`);
    expect(await readdir(dir)).toEqual([]);
    const { rows: left } = await h.db.sql.query(`select 1 from exports where user_id = $1`, [user.userId]);
    expect(left).toHaveLength(0);
  });
});
