import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { LAKE_COPY_ALL_PLAYS } from '../../services/features/lake/data/lake.repository.js';
import { startS3Server } from '../../test/support/s3-server.js';
import { startChildService, type LogLine } from '../support/child-service.js';
import { PRELOAD_END } from '../support/preloaded-history.js';
import { atLeastRatioRow, atMostRatioRow, checkRow, formatNumber, infoRow } from '../support/results-table.js';
import type { Scenario, ScenarioContext } from '../support/scenario.js';
import { clonePreloadedDatabase } from '../support/shared-databases.js';
import { timed } from '../support/stopwatch.js';

const RSS_LIMIT_MIB = 300;
const MIN_RATIO_TO_COPY = 0.3;
const MAX_UNCHANGED_SHARE = 0.05;
const BUCKET = 'bench-lake';
const mib = (bytes: number) => bytes / 2 ** 20;

/**
 * Issue 19: `lake:export` of the preloaded history (11M plays at the default size) into a bucket of a real
 * S3-compatible server on this machine, as the CronJob runs it (a process of its own, default settings).
 * Baseline: the very COPY statement the lake run sends for those rows, in the same snapshot settings, its
 * output read by the client and dropped: what reading the rows out of Postgres costs at the least. It runs
 * before and after the lake run and the faster of the two is the baseline (the run is held to the
 * better figure). Then a second run with nothing new, and, for information, a run after one new day of polls.
 */
export const lakeExportScenario: Scenario = {
  name: 'lake-export',
  title: 'data lake: lake:export of the preloaded history to S3 against COPY of the same rows',
  async run(context) {
    const { url: databaseUrl } = await clonePreloadedDatabase(context, 'lake_export');
    const s3 = await startS3Server();
    context.defer(() => s3.stop());
    await s3.createBucket(BUCKET);
    const workDir = await mkdtemp(path.join(os.tmpdir(), `playlog-bench-${context.runId}-lake-`));
    context.defer(() => rm(workDir, { recursive: true, force: true }));
    const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    context.defer(() => sql.end());
    const totalPlays = Number((await sql.query('select count(*) from listening_events')).rows[0].count);

    const before = await copyBaseline(databaseUrl);
    context.log(`baseline COPY: ${before.rows.toLocaleString('en-US')} rows in ${formatNumber(before.ms)} ms`);
    const env = {
      DATABASE_URL: databaseUrl,
      LAKE_URL: `s3://${BUCKET}/playlog`,
      LAKE_S3_ENDPOINT: s3.endpoint,
      LAKE_S3_REGION: s3.region,
      LAKE_S3_FORCE_PATH_STYLE: 'true',
      LAKE_S3_ACCESS_KEY_ID: s3.accessKeyId,
      LAKE_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      LAKE_PSEUDONYM_KEY: 'bench-pseudonym-key-0123456789abcdef0123',
      LAKE_WORK_DIR: workDir,
    };
    const first = await runLakeExport(context, 'first', env);
    context.log(`first lake run: ${formatNumber(first.ms)} ms, ${first.summary.msg}`);
    const after = await copyBaseline(databaseUrl);
    const baseline = before.ms <= after.ms ? before : after;
    const unchanged = await runLakeExport(context, 'unchanged', env);

    // One more day of polls for every user, as a day of collection adds them (through the triggers).
    const newDay = await sql.query(
      `insert into listening_events (user_id, played_at, track_id, source)
       select u.id, to_timestamp(${PRELOAD_END / 1000}) + make_interval(hours => 12, mins => n), t.id, 'poll'
         from (select id from users order by id) u, generate_series(0, 9) n, lateral (select id from tracks order by id offset n limit 1) t`,
    );
    const incremental = await runLakeExport(context, 'incremental', env);

    const manifest = JSON.parse(await readObject(s3, `playlog/_manifest.json`)) as { plays: { rows: number; days: Record<string, unknown> } };
    const exportRowsPerSecond = (first.summary.playRowsWritten as number) / (first.ms / 1000);
    const baselineRowsPerSecond = baseline.rows / (baseline.ms / 1000);
    return {
      rows: [
        checkRow({
          figure: 'the lake holds every play',
          measured: `${manifest.plays.rows.toLocaleString('en-US')} plays in ${Object.keys(manifest.plays.days).length.toLocaleString('en-US')} day files`,
          baseline: `Postgres: ${(totalPlays + (newDay.rowCount ?? 0)).toLocaleString('en-US')} plays`,
          target: 'equal',
          pass: manifest.plays.rows === totalPlays + (newDay.rowCount ?? 0) && first.summary.playRowsWritten === totalPlays,
        }),
        atLeastRatioRow({
          figure: `first lake run, ${totalPlays.toLocaleString('en-US')} plays (${formatNumber(first.ms / 1000)} s)`,
          value: exportRowsPerSecond,
          unit: 'rows/s',
          baselineName: `COPY (${formatNumber(before.ms / 1000)} s before, ${formatNumber(after.ms / 1000)} s after)`,
          baselineValue: baselineRowsPerSecond,
          minRatio: MIN_RATIO_TO_COPY,
        }),
        checkRow({ figure: 'first lake run: peak RSS of the process', measured: `${formatNumber(mib(first.peakRss))} MiB`, target: `≤ ${RSS_LIMIT_MIB} MiB`, pass: mib(first.peakRss) <= RSS_LIMIT_MIB }),
        atMostRatioRow({
          figure: `second run, nothing new (${unchanged.summary.msg})`,
          value: unchanged.ms,
          unit: 'ms',
          baselineName: 'first lake run',
          baselineValue: first.ms,
          maxRatio: MAX_UNCHANGED_SHARE,
        }),
        infoRow(
          `after one new day of polls (${(newDay.rowCount ?? 0).toLocaleString('en-US')} plays)`,
          `${formatNumber(incremental.ms)} ms: ${String(incremental.summary.daysWritten)} day(s), ${String(incremental.summary.playRowsWritten)} plays written`,
          `first lake run: ${formatNumber(first.ms)} ms`,
        ),
        infoRow('process start-up included in each run (node, tsx, connect)', `${formatNumber(unchanged.ms)} ms for a run that writes nothing`),
      ],
      notes: [
        `S3: Versity's S3 Gateway (scripts/s3-tools.sh) on loopback, over local disk; LAKE_MEMORY_LIMIT_MB and every other setting at its default.`,
        `Each run is \`playlog lake-export\` as the image runs it (scripts/playlog: \`node --max-old-space-size=128\` with MALLOC_ARENA_MAX=2), timed from spawn to exit; peak RSS is the process's VmHWM.`,
      ],
    };
  },
};

/** The lake run's own COPY of every play, in its snapshot settings, read to the end and dropped. */
async function copyBaseline(databaseUrl: string): Promise<{ ms: number; rows: number; bytes: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    await client.query(`set local timezone = 'UTC'`);
    await client.query(`set local datestyle = 'ISO, YMD'`);
    let bytes = 0;
    const run = await timed(async () => {
      const stream = client.query(copyTo(LAKE_COPY_ALL_PLAYS));
      await pipeline(
        stream,
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            bytes += chunk.length;
            done();
          },
        }),
      );
      return stream.rowCount;
    });
    await client.query('commit');
    return { ms: run.ms, rows: run.result, bytes };
  } finally {
    await client.end();
  }
}

async function runLakeExport(context: ScenarioContext, label: string, env: Record<string, string>): Promise<{ ms: number; peakRss: number; summary: LogLine }> {
  let peakRss = 0;
  const run = await timed(async () => {
    // As the image runs it: scripts/playlog gives it its node flags and MALLOC_ARENA_MAX.
    const child = startChildService(context, { name: `lake-export-${label}`, command: 'lake-export', env, keep: (line) => typeof line.msg === 'string' });
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, child.peakRssBytes() || 0);
    }, 50);
    const code = await child.exited;
    clearInterval(sampler);
    const summary = child.kept.find((line) => /^lake updated|^the lake is up to date/.test(line.msg ?? ''));
    if (code !== 0 || !summary) throw new Error(`lake:export (${label}) exited ${code}: ${child.kept.map((line) => line.msg).join(' / ')}`);
    return summary;
  });
  return { ms: run.ms, peakRss, summary: run.result };
}

async function readObject(s3: Awaited<ReturnType<typeof startS3Server>>, key: string): Promise<string> {
  const answer = await s3.client().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await answer.Body?.transformToString('utf8')) ?? '';
}
