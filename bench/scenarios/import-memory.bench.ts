import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { copyFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import pg from 'pg';
import { TokenCipher, parseEncryptionKeys } from '../../services/shared/crypto/token-cipher.js';
import { saveCredentials } from '../../services/features/accounts/data/credentials.repository.js';
import { openOrm } from '../../services/features/open-orm.js';
import { enqueueImport } from '../../services/features/streaming-history/import-jobs.js';
import { importQueue } from '../../services/shared/jobs/job-registry.js';
import { openQueue } from '../../services/shared/jobs/open-queues.js';
import { createRedisConnection } from '../../services/shared/jobs/redis-connection.js';
import { benchDatabaseName, createMigratedDatabase, dropDatabase } from '../support/bench-database.js';
import { REDIS_URL, benchWorkerEnv } from '../support/bench-env.js';
import { benchPrefix, benchRedis } from '../support/bench-redis.js';
import { startChildService } from '../support/child-service.js';
import type { BenchEmulatorTokens } from '../support/emulator-process.js';
import { checkRow, formatNumber, infoRow } from '../support/results-table.js';
import type { Scenario } from '../support/scenario.js';
import { sleep, timed, waitFor } from '../support/stopwatch.js';

const SIZES = { small: { bytes: 5 * 2 ** 20 }, default: { bytes: 200 * 2 ** 20 } };
const RSS_LIMIT_MIB = 300;
const DAY_MS = 86_400_000;
const mib = (bytes: number) => bytes / 2 ** 20;
/**
 * Issue 10: a streaming history of 200 MB is imported by a real worker process whose memory
 * stays under 300 MB. The worker runs as the image runs it, `playlog worker` (its heap bounded by the default
 * WORKER_MAX_OLD_SPACE_MB); a second run with WORKER_MAX_OLD_SPACE_MB=0 (Node's own heap sizing) shows
 * what the bound is worth on this host. The streaming history is the emulator's (real field names,
 * second-precision ts) for one listener over ~390 days, repeated with its timestamps shifted back by whole periods until
 * the file reaches the size, so every row is a distinct play of a track the emulator knows.
 */
export const importMemoryScenario: Scenario = {
  name: 'import-memory',
  title: 'import memory: worker RSS while importing a large streaming history',
  async run(context) {
    const size = SIZES[context.size];
    const scratch = path.join(os.tmpdir(), `playlog-bench-${context.runId}-import`);
    const tokensFile = `${scratch}-tokens.json`;
    const historyFile = `${scratch}-Streaming_History_Audio.json`;
    context.defer(() => rm(tokensFile, { force: true }));
    context.defer(() => rm(historyFile, { force: true }));

    const emulatorService = startChildService(context, {
      name: 'emulator',
      entry: 'bench/support/emulator-process.ts',
      env: { BENCH_EMULATOR_CONFIG: JSON.stringify({ users: 1, latencyMs: 0, tokensFile }) },
    });
    const name = benchDatabaseName(context.runId, 'import_memory');
    context.defer(() => dropDatabase(name));
    const [databaseUrl] = await Promise.all([createMigratedDatabase(name), emulatorService.waitForLine((line) => line.msg === 'bench emulator ready', 120_000)]);
    const emulator = JSON.parse(readFileSync(tokensFile, 'utf8')) as BenchEmulatorTokens;
    const listener = emulator.users[0]!;

    // The streaming-history file, streamed to disk (the bench holds one period of rows in memory, not the file).
    const from = new Date(emulator.clockMs - 390 * DAY_MS).toISOString();
    const response = await fetch(`${emulator.adminUrl}/users/${listener.id}/streaming-history?from=${from}`);
    const period = (await response.json()) as Array<Record<string, unknown> & { ts: string }>;
    const out = createWriteStream(historyFile);
    let written = 0;
    let rows = 0;
    const write = async (text: string) => {
      written += Buffer.byteLength(text);
      if (!out.write(text)) await once(out, 'drain');
    };
    await write('[');
    for (let copy = 0; written < size.bytes; copy++) {
      const shiftMs = copy * 391 * DAY_MS;
      for (const row of period) {
        const ts = copy === 0 ? row.ts : new Date(Date.parse(row.ts) - shiftMs).toISOString().replace('.000Z', 'Z');
        await write(`${rows === 0 ? '\n' : ',\n'}${JSON.stringify({ ...row, ts })}`);
        rows++;
        if (written >= size.bytes) break;
      }
    }
    await write('\n]\n');
    out.end();
    await once(out, 'finish');
    const fileBytes = (await stat(historyFile)).size;
    context.log(`streaming history: ${formatNumber(mib(fileBytes))} MiB, ${rows.toLocaleString('en-US')} rows`);

    // A Playlog user for the listener, with the emulator's tokens (track look-ups need them).
    const encryptionKeys = `bench:${randomBytes(32).toString('base64')}`;
    const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    context.defer(() => sql.end());
    const userId = randomUUID();
    await sql.query(`insert into users (id, spotify_user_id, display_name) values ($1, $2, $2)`, [userId, listener.id]);
    const orm = await openOrm({ DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: 2 });
    try {
      await saveCredentials(orm.em.fork(), new TokenCipher(parseEncryptionKeys(encryptionKeys)), userId, {
        accessToken: listener.accessToken,
        refreshToken: listener.refreshToken,
        accessTokenExpiresAt: new Date(emulator.accessTokenExpiresAtMs),
        scopes: ['user-read-recently-played'],
      });
    } finally {
      await orm.close(true);
    }

    const redis = await benchRedis(context);
    const connection = createRedisConnection(REDIS_URL, 'producer');
    context.defer(() => void connection.disconnect());

    /**
     * One import of the whole file by a fresh worker process, started as the image starts it (`playlog worker`), from
     * an empty catalogue: every run looks its tracks up, as the first import of a history does.
     */
    const importOnce = async (label: string, extraEnv: Record<string, string>) => {
      await sql.query('truncate export_track_names, play_counts, stats_quarters, stats_tracks, play_duplicates, listening_events, track_artists, tracks, albums, artists');
      // A completed import deletes its file: each run imports a copy.
      const file = `${historyFile}-${label}`;
      await copyFile(historyFile, file);
      context.defer(() => rm(file, { force: true }));
      const prefix = benchPrefix(context, redis, `import-memory-${label}`);
      const env = { ...benchWorkerEnv({ databaseUrl, prefix, encryptionKeys, emulator }), IMPORT_TRACK_LOOKUPS_PER_SECOND: '100000', ...extraEnv };
      const worker = startChildService(context, { name: `worker-${label}`, command: 'worker', env });
      context.defer(() => void worker.stop());
      await worker.waitForLine((line) => line.msg === 'worker ready', 60_000);
      await sleep(1_000);
      const idleRss = worker.rssBytes();
      const importId = randomUUID();
      await sql.query(`insert into imports (id, user_id, file_name, file_path, file_bytes) values ($1, $2, 'bench.json', $3, $4)`, [importId, userId, file, fileBytes]);
      const queue = openQueue(importQueue, connection, prefix);
      context.defer(() => queue.close());
      let sampledPeak = 0;
      const sampler = setInterval(() => {
        sampledPeak = Math.max(sampledPeak, worker.rssBytes() || 0);
      }, 100);
      context.defer(() => clearInterval(sampler));
      const commandLine = worker.commandLine();
      context.log(`import by a worker started as ${commandLine}`);
      const run = await timed(async () => {
        await enqueueImport(queue, importId);
        await waitFor(
          'the import to finish',
          async () => ['completed', 'failed', 'cancelled'].includes((await sql.query('select status from imports where id = $1', [importId])).rows[0].status),
          3_600_000,
          250,
        );
      });
      clearInterval(sampler);
      const peak = Math.max(worker.peakRssBytes(), sampledPeak);
      await worker.stop();
      const result = (await sql.query('select status, error, rows_read, stored, duplicates, tracks_fetched from imports where id = $1', [importId])).rows[0];
      if (result.status !== 'completed') throw new Error(`the import ended ${result.status}: ${result.error}`);
      return { idleRss, peak, ms: run.ms, result, commandLine };
    };

    const deployed = await importOnce('deployed', {});
    // For information only, and a second worker start: left out of the smoke run, which must stay short.
    const nodeSized = context.size === 'default' ? await importOnce('node-sized', { WORKER_MAX_OLD_SPACE_MB: '0' }) : null;
    const result = deployed.result;
    const counted = (run: typeof deployed) => `${Number(run.result.rows_read).toLocaleString('en-US')} read, ${Number(run.result.stored).toLocaleString('en-US')} stored`;

    return {
      rows: [
        checkRow({
          figure: `worker peak RSS importing ${formatNumber(mib(fileBytes))} MiB, as deployed (${deployed.commandLine})`,
          measured: `${formatNumber(mib(deployed.peak))} MiB`,
          target: `< ${RSS_LIMIT_MIB} MiB`,
          pass: mib(deployed.peak) < RSS_LIMIT_MIB,
          baseline: `idle worker: ${formatNumber(mib(deployed.idleRss))} MiB`,
        }),
        ...(nodeSized
          ? [
              infoRow(
                'the same with WORKER_MAX_OLD_SPACE_MB=0 (Node sizes the heap from the host)',
                `${formatNumber(mib(nodeSized.peak))} MiB`,
                `idle worker: ${formatNumber(mib(nodeSized.idleRss))} MiB`,
              ),
            ]
          : []),
        infoRow('rows imported', counted(deployed), `${Number(result.duplicates)} duplicates`),
        infoRow('import throughput', `${formatNumber((Number(result.rows_read) / deployed.ms) * 1000)} rows/s`, `${formatNumber(mib(fileBytes) / (deployed.ms / 1000))} MiB/s; ${result.tracks_fetched} tracks looked up`),
        ...(nodeSized
          ? [infoRow('import throughput, Node’s heap sizing', `${formatNumber((Number(nodeSized.result.rows_read) / nodeSized.ms) * 1000)} rows/s`, `${counted(nodeSized)}; ${nodeSized.result.tracks_fetched} tracks looked up`)]
          : []),
      ],
      notes: [
        'peak RSS: the worker process’s VmHWM (Linux) and 100 ms samples of VmRSS, whichever is higher; the worker also runs its (idle) poll worker',
        'the worker is started as the image starts it, `playlog worker` (scripts/playlog, which gives node the worker’s heap limit); each run starts from an empty catalogue',
        'IMPORT_CHUNK_ROWS default (1,000 rows per transaction); track look-ups unthrottled here (the limiter would measure itself)',
      ],
    };
  },
};
