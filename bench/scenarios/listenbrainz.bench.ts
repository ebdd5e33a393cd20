import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { startBenchApi } from '../support/bench-api.js';
import { startChildService } from '../support/child-service.js';
import { importSubmission, newListeners, singleSubmission, storedListensDigest, storeListeners, type Listener, type Submission } from '../support/listenbrainz-traffic.js';
import { procCpuMs } from '../support/poll-rig.js';
import { PRELOAD_SIZES } from '../support/preloaded-history.js';
import { atLeastRatioRow, checkRow, formatNumber, infoRow, type ResultRow } from '../support/results-table.js';
import type { Scenario } from '../support/scenario.js';
import { clonePreloadedDatabase } from '../support/shared-databases.js';
import { quantile } from '../support/stopwatch.js';

/**
 * singles: single listens per measured round and target; rounds: API and bare alternate, round by round;
 * imports: payloads of IMPORT_SIZE listens per target, sent one after another, the two targets alternating.
 */
const SIZES = {
  small: { warmUp: 64, singles: 200, rounds: 1, imports: 1 },
  default: { warmUp: 1_000, singles: 3_000, rounds: 3, imports: 10 },
};
const LISTENERS = 100;
const CONNECTIONS = 32;
const IMPORT_SIZE = 1_000;
/** Targets from the issue: single listens and imports at least half the bare server's rate; single p99 at most 50 ms at c = 32. */
const MIN_RATIO = 0.5;
const MAX_P99_MS = 50;

interface Target {
  name: 'API' | 'bare';
  url: string;
  /** The server's process, and its database (whose backends serve only it), for CPU time per request. */
  pid: number;
  sql: pg.Pool;
  /** The target's own sequence: each target is sent single listens 0, 1, 2… and import payloads 0, 1, 2…, so both store the same rows. */
  nextSingle: number;
  nextImport: number;
  singles: { requests: number; seconds: number; latencies: number[]; serverCpuMs: number; postgresCpuMs: number };
  imports: { rows: number; ms: number };
}

/** CPU time so far of the server process, and of the Postgres backends connected to its database. */
async function cpuMs(target: Target): Promise<{ server: number; postgres: number }> {
  const { rows: backends } = await target.sql.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
  return { server: procCpuMs(target.pid), postgres: backends.reduce((sum, row) => sum + procCpuMs(row.pid), 0) };
}

const requestFor = (listeners: readonly Listener[], submission: Submission) => ({
  headers: { authorization: `Token ${listeners[submission.listener]!.token}`, 'content-type': 'application/json' },
  body: submission.body,
});

/**
 * `amount` single listens at c = 32, the next numbers of the target's sequence. autocannon builds each request
 * just before sending it, and sends every request it builds when given an amount, so the numbers sent are
 * exactly the next `amount` (the stored rows prove it). Timed from the start to the last answer.
 */
async function sendSingles(target: Target, listeners: readonly Listener[], tracks: number, amount: number) {
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure = '';
  let lastAnswer = 0;
  const started = performance.now();
  const options: autocannon.Options = {
    url: target.url,
    method: 'POST',
    connections: CONNECTIONS,
    pipelining: 1,
    amount,
    // A fixed count ends at the next sample tick: sample every 100 ms (the time is taken from the answers anyway).
    sampleInt: 100,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => ({ ...request, ...requestFor(listeners, singleSubmission(target.nextSingle++, listeners.length, tracks)) }),
        onResponse: (status, body) => {
          if (status !== 200 && !firstFailure) firstFailure = `${status} ${body.slice(0, 300)}`;
        },
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error: Error | null, done: autocannon.Result) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (statusCode !== 200) failed++;
      lastAnswer = performance.now();
    });
  });
  const errors = failed + result.errors + result.timeouts;
  if (errors > 0 || latencies.length !== amount) throw new Error(`${target.name}: ${errors} failed of ${latencies.length} answered single listens (${amount} sent); the first: ${firstFailure}`);
  return { requests: amount, seconds: (lastAnswer - started) / 1000, latencies };
}

/** The target's next import payload, sent alone; its wall time to the whole answer. */
async function sendImport(target: Target, listeners: readonly Listener[], tracks: number) {
  const submission = importSubmission(target.nextImport++, IMPORT_SIZE, listeners.length, tracks);
  const started = performance.now();
  const response = await fetch(target.url, { method: 'POST', ...requestFor(listeners, submission) });
  const answer = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`${target.name}: an import of ${IMPORT_SIZE} listens answered ${response.status}: ${answer.slice(0, 300)}`);
  return { rows: submission.listens, ms };
}

export const listenBrainzScenario: Scenario = {
  name: 'listenbrainz',
  title: 'ListenBrainz submit-listens over HTTP: the API against a bare INSERT … ON CONFLICT DO NOTHING handler',
  async run(context) {
    const size = SIZES[context.size];
    const tracks = PRELOAD_SIZES[context.size].tracks;
    // Each target its own copy of the preloaded history: the same rows before, the same requests, so the same rows after.
    const apiDatabase = await clonePreloadedDatabase(context, 'listenbrainz_api');
    const bareDatabase = await clonePreloadedDatabase(context, 'listenbrainz_bare');
    const apiSql = new pg.Pool({ connectionString: apiDatabase.url, max: 2 });
    const bareSql = new pg.Pool({ connectionString: bareDatabase.url, max: 2 });
    context.defer(() => apiSql.end());
    context.defer(() => bareSql.end());
    const listeners = newListeners(LISTENERS);
    await storeListeners(apiSql, listeners);
    await storeListeners(bareSql, listeners);
    const storedBefore = Number((await apiSql.query<{ count: string }>(`select count(*) from listening_events`)).rows[0]!.count);

    const api = await startBenchApi(context, apiDatabase.url, 'listenbrainz');
    const bare = startChildService(context, { name: 'bare-listens', entry: 'bench/baselines/bare-listens-server.ts', env: { DATABASE_URL: bareDatabase.url } });
    const [apiListening, bareListening] = await Promise.all([
      api.waitForLine((line) => line.msg === 'API listening'),
      bare.waitForLine((line) => line.msg === 'bare listens server listening'),
    ]);
    const target = (name: Target['name'], url: string, pid: number, sql: pg.Pool): Target => ({
      name,
      url,
      pid,
      sql,
      nextSingle: 0,
      nextImport: 0,
      singles: { requests: 0, seconds: 0, latencies: [], serverCpuMs: 0, postgresCpuMs: 0 },
      imports: { rows: 0, ms: 0 },
    });
    const targets = [
      target('API', `${String(apiListening.url)}/listenbrainz/1/submit-listens`, api.pid, apiSql),
      target('bare', `${String(bareListening.url)}/1/submit-listens`, bare.pid, bareSql),
    ];

    // Warm-up (JIT, pools, prepared statements) with listens of the same sequence: stored, compared, not timed.
    context.log(`warm-up: ${size.warmUp} single listens and one import each`);
    for (const each of targets) {
      await sendSingles(each, listeners, tracks, size.warmUp);
      await sendImport(each, listeners, tracks);
    }
    for (let round = 1; round <= size.rounds; round++) {
      // Round by round, each target in turn, so drift on a shared machine hits both alike.
      for (const each of targets) {
        context.log(`round ${round}/${size.rounds}: ${each.name}, ${size.singles} single listens, c=${CONNECTIONS}`);
        const before = await cpuMs(each);
        const measured = await sendSingles(each, listeners, tracks, size.singles);
        const after = await cpuMs(each);
        each.singles.serverCpuMs += after.server - before.server;
        each.singles.postgresCpuMs += after.postgres - before.postgres;
        each.singles.requests += measured.requests;
        each.singles.seconds += measured.seconds;
        each.singles.latencies.push(...measured.latencies);
      }
    }
    context.log(`${size.imports} import(s) of ${IMPORT_SIZE} listens each, one at a time, alternating`);
    for (let i = 0; i < size.imports; i++) {
      for (const each of targets) {
        const { rows, ms } = await sendImport(each, listeners, tracks);
        each.imports.rows += rows;
        each.imports.ms += ms;
      }
    }
    const apiPeakRss = api.peakRssBytes();

    // The bare server must have stored what the API stored, or the comparison means nothing: every listen sent, as the same rows with the same rollups.
    const userIds = listeners.map((listener) => listener.userId);
    const [apiStored, bareStored] = [await storedListensDigest(apiSql, userIds), await storedListensDigest(bareSql, userIds)];
    const sent = targets.map((each) => each.nextSingle + each.nextImport * IMPORT_SIZE);
    if (!isDeepStrictEqual(apiStored, bareStored)) throw new Error(`the two targets stored different rows: API ${JSON.stringify(apiStored)}, bare ${JSON.stringify(bareStored)}`);
    if (apiStored.plays!.rows !== sent[0] || bareStored.plays!.rows !== sent[1]) throw new Error(`${sent.join(' and ')} listens sent, ${apiStored.plays!.rows} and ${bareStored.plays!.rows} stored`);

    const [apiTarget, bareTarget] = targets as [Target, Target];
    const perSecond = (each: Target) => each.singles.requests / each.singles.seconds;
    const rowsPerSecond = (each: Target) => (each.imports.rows / each.imports.ms) * 1000;
    const p = (each: Target, q: number) => quantile(each.singles.latencies, q);
    const rows: ResultRow[] = [
      atLeastRatioRow({
        figure: `single listens from ${LISTENERS} listeners, c=${CONNECTIONS}`,
        value: perSecond(apiTarget),
        unit: 'req/s',
        baselineName: 'bare INSERT per request',
        baselineValue: perSecond(bareTarget),
        minRatio: MIN_RATIO,
      }),
      checkRow({
        figure: `single listens p99, c=${CONNECTIONS}`,
        measured: `${formatNumber(p(apiTarget, 0.99))} ms`,
        baseline: `bare: ${formatNumber(p(bareTarget, 0.99))} ms`,
        target: `≤ ${MAX_P99_MS} ms`,
        pass: p(apiTarget, 0.99) <= MAX_P99_MS,
      }),
      infoRow(`single listens p50 / max, c=${CONNECTIONS}`, `${formatNumber(p(apiTarget, 0.5))} / ${formatNumber(p(apiTarget, 1))} ms`, `bare: ${formatNumber(p(bareTarget, 0.5))} / ${formatNumber(p(bareTarget, 1))} ms`),
      infoRow(
        'CPU per single listen: server process / its Postgres backends',
        `API: ${formatNumber(apiTarget.singles.serverCpuMs / apiTarget.singles.requests)} / ${formatNumber(apiTarget.singles.postgresCpuMs / apiTarget.singles.requests)} ms`,
        `bare: ${formatNumber(bareTarget.singles.serverCpuMs / bareTarget.singles.requests)} / ${formatNumber(bareTarget.singles.postgresCpuMs / bareTarget.singles.requests)} ms`,
      ),
      atLeastRatioRow({
        figure: `import payloads of ${IMPORT_SIZE.toLocaleString('en-US')} listens, one at a time`,
        value: rowsPerSecond(apiTarget),
        unit: 'rows/s',
        baselineName: 'bare multi-row INSERT',
        baselineValue: rowsPerSecond(bareTarget),
        minRatio: MIN_RATIO,
      }),
      infoRow(
        'import payload time, mean',
        `${formatNumber(apiTarget.imports.ms / size.imports)} ms`,
        `bare: ${formatNumber(bareTarget.imports.ms / size.imports)} ms`,
      ),
      infoRow(
        `rows stored (checked: one play per listen sent, ${sent[0]}, and the same rows)`,
        `API: ${Object.entries(apiStored).map(([table, { rows: count }]) => `${table} ${count}`).join(', ')}`,
        'bare: the same rows in every table (MD5 equal)',
      ),
      infoRow('API peak RSS', `${formatNumber(apiPeakRss / 2 ** 20)} MiB`),
    ];
    return {
      rows,
      notes: [
        `${LISTENERS} listeners (preloaded users, each with an API token); listening_events held ${storedBefore.toLocaleString('en-US')} plays before the run; each target on its own file copy of that database`,
        `single: ${size.rounds} round(s) of ${size.singles} requests per target at c=${CONNECTIONS} after ${size.warmUp} warm-up requests and one warm-up import each, API and bare alternating; autocannon builds each request's body (the next listen of the target's sequence: listener n mod ${LISTENERS}, a new listened_at, a catalogue track); req/s over the rounds' summed time, quantiles over all their requests`,
        `import: ${size.imports} payload(s) of ${IMPORT_SIZE} listens per target (one listener each), sent one after another, alternating; rows/s over the summed answer times`,
        'each listen: track and artist names, the catalogue track’s Spotify URL as spotify_id (Web Scrobbler on Spotify sends it), duration_ms, a recording MBID; listens of tracks the catalogue lacks or found by their names alone are not measured',
        'bare: node:http and pg, per request one token look-up by SHA-256 (joined with the user’s status), JSON.parse, one INSERT … ON CONFLICT DO NOTHING (a multi-row one, unnest of arrays, for an import); it skips ListenBrainz’s validation, the look-up of the track (the id is taken from spotify_id), the catalogue upsert, the duplicate rule (no listen of the benchmark is a duplicate), the transaction, the token’s last-used write, the deadline and connection share, the access log',
        'after the run both databases hold the same listenbrainz plays, daily counts and statistics rollups for the listeners (MD5 of each table’s rows compared), one play per listen sent',
        'both servers: one process, pool of 10 connections (DATABASE_POOL_MAX default); API at LOG_LEVEL=info, rate limits off',
        'CPU: user + system time over the measured rounds from /proc/<pid>/stat, of the server process and of the Postgres backends connected to its database (10 ms ticks)',
      ],
    };
  },
};
