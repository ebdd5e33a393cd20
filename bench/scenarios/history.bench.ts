import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { encodeHistoryCursor } from '../../services/api/history/history-cursor.js';
import { historyCountBindings, historyCountStatement } from '../../services/features/history/data/history.repository.js';
import { positionalSql } from '../../services/shared/db/statements/statement.js';
import { HISTORY_QUERY as QUERY, PAGE } from '../baselines/bare-history-handler.js';
import { startChildService } from '../support/child-service.js';
import { HEAVY_USER_ID, PRELOAD_SIZES } from '../support/preloaded-history.js';
import { atLeastRatioRow, atMostRatioRow, checkRow, formatLatency, formatNumber, formatRatio, infoRow, type ResultRow } from '../support/results-table.js';
import type { Scenario } from '../support/scenario.js';
import { benchSessionFor, startBenchApi } from '../support/bench-api.js';
import { median } from '../support/stopwatch.js';
import { clonePreloadedDatabase } from '../support/shared-databases.js';

/** Default: seconds per point; small (smoke): a fixed number of requests per point instead. */
const SIZES = { small: { seconds: 1, requests: 40, depth: 1_000 }, default: { seconds: 3, requests: null, depth: 10_000 } };
const CONCURRENCY = [1, 32] as const;

interface Target {
  name: 'GraphQL' | 'bare keyset' | 'bare OFFSET';
  request(depth: Depth): { url: string; method: 'GET' | 'POST'; body?: string; headers: Record<string, string> };
}
interface Depth {
  label: string;
  offset: number;
  cursor: string | null;
}
interface Measured {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(request: ReturnType<Target['request']>, connections: number, size: { seconds: number; requests: number | null }): Promise<Measured> {
  // A fixed count ends at the next sample tick: sample every 100 ms so a smoke point takes milliseconds.
  const amount = size.requests === null ? {} : { amount: Math.max(size.requests, connections * 2), sampleInt: 100 };
  const result = await autocannon({ ...request, connections, duration: size.seconds, ...amount, pipelining: 1 });
  const errors = result.errors + result.timeouts + result.non2xx;
  // requests.average is per sample interval; total over the measured duration (seconds) is per second either way.
  // No answer within the window (a deep OFFSET under load): its latency is longer than the window.
  const none = result.requests.total === 0;
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50: none ? Number.POSITIVE_INFINITY : result.latency.p50,
    p99: none ? Number.POSITIVE_INFINITY : result.latency.p99,
    errors,
  };
}


export const historyScenario: Scenario = {
  name: 'history',
  title: 'history pages over HTTP: GraphQL against a bare handler, keyset against OFFSET',
  async run(context) {
    const size = SIZES[context.size];
    const heavyPlays = PRELOAD_SIZES[context.size].heavyUserPlays;
    const { url: databaseUrl } = await clonePreloadedDatabase(context, 'history');
    const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    context.defer(() => sql.end());
    const token = await benchSessionFor(sql, HEAVY_USER_ID);
    const positionAt = async (offset: number) => {
      const { rows } = await sql.query<{ played_at_text: string; track_id: string }>(
        `select to_char(played_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as played_at_text, track_id
           from listening_events where user_id = $1 order by played_at desc, track_id desc offset $2 limit 1`,
        [HEAVY_USER_ID, offset - 1],
      );
      return encodeHistoryCursor({ playedAt: rows[0]!.played_at_text, trackId: rows[0]!.track_id });
    };
    const depths: Depth[] = [
      { label: 'first page', offset: 0, cursor: null },
      { label: `depth ${size.depth.toLocaleString('en-US')}`, offset: size.depth, cursor: await positionAt(size.depth) },
      { label: `last page (${heavyPlays.toLocaleString('en-US')} plays)`, offset: heavyPlays - PAGE, cursor: await positionAt(heavyPlays - PAGE) },
    ];

    const api = await startBenchApi(context, databaseUrl, 'history');
    // Both start at once (nothing is measured yet), and both are waited for before either can print its line.
    const bare = startChildService(context, { name: 'bare-history', entry: 'bench/baselines/bare-history-server.ts', env: { DATABASE_URL: databaseUrl } });
    const [apiListening, bareListening] = await Promise.all([
      api.waitForLine((line) => line.msg === 'API listening'),
      bare.waitForLine((line) => line.msg === 'bare history server listening'),
    ]);
    const apiUrl = String(apiListening.url);
    const bareUrl = String(bareListening.url);

    const auth = { authorization: `Bearer ${token}` };
    const targets: Target[] = [
      {
        name: 'GraphQL',
        request: (depth) => ({
          url: `${apiUrl}/graphql`,
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ query: QUERY, variables: { after: depth.cursor } }),
        }),
      },
      { name: 'bare keyset', request: (depth) => ({ url: `${bareUrl}/history${depth.cursor ? `?after=${depth.cursor}` : ''}`, method: 'GET', headers: auth }) },
      { name: 'bare OFFSET', request: (depth) => ({ url: `${bareUrl}/history?offset=${depth.offset}`, method: 'GET', headers: auth }) },
    ];

    // The baselines must answer what the API answers, or the comparison means nothing.
    for (const depth of depths) {
      const answers = await Promise.all(
        targets.map(async (target) => {
          const { url, ...init } = target.request(depth);
          const response = await fetch(url, init);
          return { target: target.name, status: response.status, body: (await response.json()) as unknown };
        }),
      );
      for (const answer of answers) {
        if (answer.status !== 200 || !isDeepStrictEqual(answer.body, answers[0]!.body)) {
          throw new Error(`${answer.target} at ${depth.label} answered ${answer.status} and differs from the GraphQL answer: ${JSON.stringify(answer.body).slice(0, 400)}`);
        }
      }
    }

    // Warm-up (JIT, connection pools) on a page no point measures, so the first measured point is not
    // the one that pays for it.
    const warmUp: Depth = { label: 'warm-up', offset: 100, cursor: await positionAt(100) };
    context.log('warm-up');
    for (const target of targets) await load(target.request(warmUp), 8, { seconds: size.seconds, requests: size.requests });

    const results = new Map<string, Measured>();
    const key = (target: string, depth: Depth, connections: number) => `${target}|${depth.label}|${connections}`;
    for (const connections of CONCURRENCY) {
      for (const depth of depths) {
        // Each target in turn at the same point, so drift on a shared machine hits them alike.
        for (const target of targets) {
          context.log(`${target.name}, ${depth.label}, ${connections} connection(s), ${size.requests === null ? `${size.seconds} s` : `${size.requests} requests`}`);
          const measured = await load(target.request(depth), connections, size);
          if (measured.errors) throw new Error(`${target.name} at ${depth.label}: ${measured.errors} failed requests under load`);
          // Queries still running for cut-off requests would slow the next point: one more request waits
          // behind them in the server's pool, so the next point starts on an idle server.
          const { url, ...init } = target.request(depth);
          await (await fetch(url, init)).arrayBuffer();
          results.set(key(target.name, depth, connections), measured);
        }
      }
    }
    const apiPeakRss = api.peakRssBytes();
    const apiRss = api.rssBytes();

    const rows: ResultRow[] = [];
    for (const connections of CONCURRENCY) {
      for (const depth of depths) {
        const graphql = results.get(key('GraphQL', depth, connections))!;
        const handler = results.get(key('bare keyset', depth, connections))!;
        rows.push(
          atLeastRatioRow({
            figure: `GraphQL, ${depth.label}, c=${connections}`,
            value: graphql.requestsPerSecond,
            unit: 'req/s',
            baselineName: 'bare handler',
            baselineValue: handler.requestsPerSecond,
            minRatio: 0.5,
          }),
        );
      }
    }
    for (const connections of CONCURRENCY) {
      const at = (target: string, depth: Depth) => results.get(key(target, depth, connections))!;
      const [first, middle, last] = depths as [Depth, Depth, Depth];
      rows.push(
        atMostRatioRow({
          figure: `GraphQL p99, last page vs first, c=${connections}`,
          value: at('GraphQL', last).p99,
          unit: 'ms',
          baselineName: 'first page',
          baselineValue: at('GraphQL', first).p99,
          maxRatio: 1.5,
        }),
        infoRow(
          `GraphQL p50 / p99 by depth, c=${connections}`,
          depths.map((depth) => `${formatLatency(at('GraphQL', depth).p50, size.seconds)} / ${formatLatency(at('GraphQL', depth).p99, size.seconds)}`).join('; '),
          `bare: ${depths.map((depth) => `${formatNumber(at('bare keyset', depth).p50)} / ${formatNumber(at('bare keyset', depth).p99)}`).join('; ')}`,
        ),
        checkRow({
          figure: `OFFSET p99, last page vs first, c=${connections}`,
          measured: `${formatLatency(at('bare OFFSET', last).p99, size.seconds)} vs ${formatLatency(at('bare OFFSET', first).p99, size.seconds)} (${formatRatio(at('bare OFFSET', last).p99 / at('bare OFFSET', first).p99)})`,
          baseline: `${middle.label}: ${formatLatency(at('bare OFFSET', middle).p99, size.seconds)}; keyset last page: ${formatLatency(at('bare keyset', last).p99, size.seconds)}`,
          target: 'degrades (> 1.5×)',
          pass: at('bare OFFSET', last).p99 > 1.5 * at('bare OFFSET', first).p99,
        }),
        infoRow(
          `OFFSET req/s by depth, c=${connections}`,
          depths.map((depth) => formatNumber(at('bare OFFSET', depth).requestsPerSecond)).join('; '),
          `keyset: ${depths.map((depth) => formatNumber(at('bare keyset', depth).requestsPerSecond)).join('; ')}`,
        ),
      );
    }
    rows.push(...(await totalCountRows(sql, heavyPlays, context.size === 'small' ? 10 : 40)));
    rows.push(infoRow('API RSS under the query load (scenario 5)', `${formatNumber(apiRss / 2 ** 20)} MiB now, peak ${formatNumber(apiPeakRss / 2 ** 20)} MiB`));
    return {
      rows,
      notes: [
        `the user has ${heavyPlays.toLocaleString('en-US')} plays; ${PRELOAD_SIZES[context.size].users.toLocaleString('en-US')} other users have ${PRELOAD_SIZES[context.size].playsPerUser.toLocaleString('en-US')} each`,
        `autocannon, ${size.seconds} s per point after a warm-up of each server, each point run GraphQL, bare keyset, bare OFFSET in turn; pages of ${PAGE} with track, album and artists`,
        'the bare handler sends exactly the API’s statements (the data layer’s session, page and page-tracks statements, named and prepared alike; test/api/history-bench-baseline.test.ts checks it) with pg behind node:http; its answers were checked equal to the API’s',
        'both servers: one process, pool of 10 connections (DATABASE_POOL_MAX default), API at LOG_LEVEL=info (one access-log line per request)',
        'totalCount: the data layer’s history_count statement (whole days summed from play_counts, the two partial days counted), prepared as the API prepares it, against count(*) over the same plays; medians of alternating runs, each pair checked to agree',
      ],
    };
  },
};

/**
 * What a connection's totalCount costs for the heavy user, against counting the plays: the whole
 * history, and a range whose ends fall inside days (the partial days are counted play by play).
 */
async function totalCountRows(sql: pg.Pool, heavyPlays: number, runs: number): Promise<ResultRow[]> {
  const { rows: bounds } = await sql.query<{ oldest: Date; newest: Date }>('select min(played_at) as oldest, max(played_at) as newest from listening_events where user_id = $1', [HEAVY_USER_ID]);
  const { oldest, newest } = bounds[0]!;
  const span = newest.getTime() - oldest.getTime();
  const ranges: Array<{ label: string; from?: Date; to?: Date }> = [
    { label: `whole history (${heavyPlays.toLocaleString('en-US')} plays)` },
    { label: 'middle half, ends inside days', from: new Date(oldest.getTime() + span / 4 + 3_600_000 * 5.5), to: new Date(oldest.getTime() + (span * 3) / 4 + 3_600_000 * 7.25) },
  ];
  const rows: ResultRow[] = [];
  for (const range of ranges) {
    const counted: number[] = [];
    const naive: number[] = [];
    for (let run = 0; run < runs; run++) {
      const startedCount = performance.now();
      const { rows: total } = await sql.query<{ total: string }>({
        name: `playlog_${historyCountStatement.name}`,
        text: positionalSql(historyCountStatement),
        values: historyCountBindings(HEAVY_USER_ID, range),
      });
      counted.push(performance.now() - startedCount);
      const startedNaive = performance.now();
      const { rows: plain } = await sql.query<{ total: string }>(
        `select count(*) as total from listening_events where user_id = $1 and played_at >= coalesce($2::timestamptz, '-infinity') and played_at < coalesce($3::timestamptz, 'infinity')`,
        [HEAVY_USER_ID, range.from ?? null, range.to ?? null],
      );
      naive.push(performance.now() - startedNaive);
      if (Number(total[0]!.total) !== Number(plain[0]!.total)) throw new Error(`totalCount of ${range.label} is ${total[0]!.total}, count(*) says ${plain[0]!.total}`);
    }
    rows.push(atMostRatioRow({ figure: `totalCount, ${range.label}`, value: median(counted), unit: 'ms', baselineName: 'count(*)', baselineValue: median(naive), maxRatio: 0.2 }));
  }
  return rows;
}

