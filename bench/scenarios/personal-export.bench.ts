import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { enqueueExport } from '../../services/features/exports/export-jobs.js';
import { exportQueue } from '../../services/shared/jobs/job-registry.js';
import { openQueue } from '../../services/shared/jobs/open-queues.js';
import { createRedisConnection } from '../../services/shared/jobs/redis-connection.js';
import { REDIS_URL, benchWorkerEnv } from '../support/bench-env.js';
import { benchPrefix, benchRedis } from '../support/bench-redis.js';
import { startChildService } from '../support/child-service.js';
import { HEAVY_USER_SQL, PRELOAD_SIZES } from '../support/preloaded-history.js';
import { checkRow, formatNumber, infoRow } from '../support/results-table.js';
import type { Scenario } from '../support/scenario.js';
import { clonePreloadedDatabase } from '../support/shared-databases.js';
import { sleep, timed, waitFor } from '../support/stopwatch.js';

const RSS_LIMIT_MIB = 200;
const FORMATS = ['listenbrainz_jsonl', 'csv', 'json'] as const;
const mib = (bytes: number) => bytes / 2 ** 20;

/**
 * Issue 19: the personal export of the preloaded user with 1,000,000 plays, in each format, written by a
 * worker process started as the image starts it, `playlog worker` (its heap bounded by the default
 * WORKER_MAX_OLD_SPACE_MB): rows/s and the worker's peak RSS (VmHWM). For information, beside it: COPY of
 * that user's plays (the listening_events rows alone, without the catalogue's names an export adds).
 */
export const personalExportScenario: Scenario = {
  name: 'personal-export',
  title: 'personal export: the 1M-play user in each format, by a worker process',
  async run(context) {
    const { url: databaseUrl } = await clonePreloadedDatabase(context, 'personal_export');
    const exportDir = await mkdtemp(path.join(os.tmpdir(), `playlog-bench-${context.runId}-exports-`));
    context.defer(() => rm(exportDir, { recursive: true, force: true }));
    const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    context.defer(() => sql.end());
    const userId = String((await sql.query(`select ${HEAVY_USER_SQL}::text as id`)).rows[0].id);

    const redis = await benchRedis(context);
    const prefix = benchPrefix(context, redis, 'personal-export');
    const connection = createRedisConnection(REDIS_URL, 'producer');
    context.defer(() => void connection.disconnect());
    const queue = openQueue(exportQueue, connection, prefix);
    context.defer(() => queue.close());

    // No Spotify call is made by an export: the worker is given a Spotify it never reaches.
    const env = {
      ...benchWorkerEnv({
        databaseUrl,
        prefix,
        encryptionKeys: `bench:${randomBytes(32).toString('base64')}`,
        emulator: { accountsUrl: 'http://127.0.0.1:9', apiUrl: 'http://127.0.0.1:9/v1', clientId: 'bench', clientSecret: 'bench' },
      }),
      EXPORT_DIR: exportDir,
      IMPORT_CONCURRENCY: '0',
      EXPORT_CONCURRENCY: '1',
    };
    const worker = startChildService(context, { name: 'worker-export', command: 'worker', env });
    context.defer(() => void worker.stop());
    await worker.waitForLine((line) => line.msg === 'worker ready', 60_000);
    const commandLine = worker.commandLine();
    await sleep(1_000);
    const idleRss = worker.rssBytes();

    const copy = await copyUserPlays(databaseUrl, userId);
    const rows = [];
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, worker.peakRssBytes() || 0);
    }, 100);
    context.defer(() => clearInterval(sampler));
    for (const format of FORMATS) {
      const exportId = randomUUID();
      await sql.query(`insert into exports (id, user_id, format, expires_at) values ($1, $2, $3, now() + interval '1 day')`, [exportId, userId, format]);
      const run = await timed(async () => {
        await enqueueExport(queue, exportId);
        await waitFor('the export to finish', async () => ['completed', 'failed'].includes((await sql.query('select status from exports where id = $1', [exportId])).rows[0].status), 3_600_000, 100);
      });
      const result = (await sql.query('select status, error, rows, bytes from exports where id = $1', [exportId])).rows[0];
      if (result.status !== 'completed') throw new Error(`the ${format} export failed: ${result.error}`);
      const exported = Number(result.rows);
      rows.push(
        infoRow(
          `${format}: ${exported.toLocaleString('en-US')} plays, ${formatNumber(mib(Number(result.bytes)))} MiB`,
          `${formatNumber(exported / (run.ms / 1000))} rows/s (${formatNumber(run.ms / 1000)} s)`,
          `COPY of the user's plays: ${formatNumber(copy.rows / (copy.ms / 1000))} rows/s`,
        ),
      );
    }
    clearInterval(sampler);
    peak = Math.max(peak, worker.peakRssBytes() || 0);
    rows.push(
      checkRow({
        figure: `worker peak RSS over the ${FORMATS.length} exports`,
        measured: `${formatNumber(mib(peak))} MiB`,
        baseline: `idle worker: ${formatNumber(mib(idleRss))} MiB`,
        target: `≤ ${RSS_LIMIT_MIB} MiB`,
        pass: mib(peak) <= RSS_LIMIT_MIB,
      }),
    );
    return {
      rows,
      notes: [
        `The user has ${PRELOAD_SIZES[context.size].heavyUserPlays.toLocaleString('en-US')} plays; the exports run one after another, each written to EXPORT_DIR on local disk, EXPORT_BATCH_ROWS at its default.`,
        `Worker: ${commandLine}.`,
      ],
    };
  },
};

/** COPY of the user's plays, read to the end and dropped. */
async function copyUserPlays(databaseUrl: string, userId: string): Promise<{ ms: number; rows: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const run = await timed(async () => {
      const stream = client.query(copyTo(`copy (select * from listening_events where user_id = '${userId}' order by played_at, track_id) to stdout`));
      await pipeline(stream, new Writable({ write: (_chunk, _encoding, done) => done() }));
      return stream.rowCount;
    });
    return { ms: run.ms, rows: run.result };
  } finally {
    await client.end();
  }
}
