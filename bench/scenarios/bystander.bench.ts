import { readFileSync } from 'node:fs';
import pg from 'pg';
import { PAGE } from '../baselines/bare-history-handler.js';
import { benchSessionFor, startBenchApi } from '../support/bench-api.js';
import { HEAVY_USER_ID, PRELOAD_SIZES, preloadUserId } from '../support/preloaded-history.js';
import { atMostRatioRow, checkRow, formatNumber, infoRow, type ResultRow } from '../support/results-table.js';
import type { Scenario } from '../support/scenario.js';
import { clonePreloadedDatabase } from '../support/shared-databases.js';
import { quantile, sleep } from '../support/stopwatch.js';

/**
 * Issue 29's bystander: one listener reads their history while another hammers statistics. Default: the
 * heavy user is the preloaded one with 1,000,000 plays; small (smoke): 20,000 plays, few requests, few clients.
 * requests: the bystander's measured requests per phase; heavyClients: the heavy user's concurrent clients;
 * capSeconds: the longest the loaded phase may run (the bystander's loop ends there, with what it has).
 * At the default size the ramp-up outlasts one request deadline (API_REQUEST_TIMEOUT_SECONDS, 10 s), and the
 * 2,000 reads (about 20 s idle) span several more, so the bystander meets the load in its steady state: shares
 * full, requests timing out and sent again; a p99 of 2,000 reads rests on 20 of them.
 */
const SIZES = {
  small: { requests: 30, warmUp: 5, heavyClients: 4, rampUpMs: 500, capSeconds: 30 },
  default: { requests: 2_000, warmUp: 50, heavyClients: 12, rampUpMs: 12_000, capSeconds: 300 },
};
/** Target from issue 29: the bystander's p99 under load at most this many times its p99 on the idle server. */
const MAX_RATIO = 3;
/** Zones other than the heavy user's own (UTC): each makes the API read quarter hours instead of local days. */
const ZONES = ['America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'Europe/Berlin', 'America/Los_Angeles', 'Asia/Kolkata', 'America/Sao_Paulo'];
/** Years of the heavy user's history (1,000,000 plays, one every 3 minutes: mid-2020 to the end of 2025). */
const YEARS = [2021, 2022, 2023, 2024, 2025];

/** What the bystander reads: the first page of their history with track, album and artists, and its totalCount. */
const BYSTANDER_QUERY = `query Bystander {
  listeningHistory(first: ${PAGE}) {
    totalCount
    edges { cursor node { id playedAt msPlayed source context { type uri } track { id name album { name } artists { name } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/**
 * One operation of the heavy user, as the issue's probe sent them but within today's limits: the most statistics
 * fields one operation may hold (GRAPHQL_MAX_EXPENSIVE_FIELDS, 5), each in another zone than the user's, over
 * long ranges: three years in review, a 20-year summary (recounted from the plays) and five years of daily
 * activity (1,827 buckets of the 2,000 allowed), about 7,500 of the cost limit's 10,000. `n` rotates the years
 * and zones so consecutive operations do not ask the same thing.
 */
function heavyOperation(n: number): string {
  const zone = (i: number) => ZONES[(n + i) % ZONES.length]!;
  const year = (i: number) => YEARS[(n + i) % YEARS.length]!;
  const review = (alias: string, i: number) =>
    `${alias}: yearInReview(year: ${year(i)}, timeZone: "${zone(i)}") { summary { plays msPlayed distinctTracks } topTracks { rank plays } topArtists { rank plays } topAlbums { rank plays } busiestDay { date plays } newArtistCount months { plays } }`;
  return `query Heavy {
  ${review('a', 0)}
  ${review('b', 1)}
  ${review('c', 2)}
  d: listeningSummary(range: { from: "2006-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }, timeZone: "${zone(3)}") { plays msPlayed distinctTracks distinctArtists distinctAlbums activeDays longestStreak { days } }
  e: listeningActivity(range: { from: "2021-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }, bucket: DAY, timeZone: "${zone(4)}") { start plays }
}`;
}

type Outcome = 'ok' | 'TIMEOUT' | 'BUSY' | 'QUERY_TOO_COMPLEX' | 'other';
const OUTCOMES: Outcome[] = ['ok', 'TIMEOUT', 'BUSY', 'QUERY_TOO_COMPLEX', 'other'];

/** A response's outcome: ok when it has no error; else the first of TIMEOUT, BUSY, QUERY_TOO_COMPLEX its errors carry (a partial answer counts by its error). */
function outcomeOf(status: number, body: { errors?: Array<{ extensions?: { code?: string } }> } | null): Outcome {
  const codes = new Set((body?.errors ?? []).map((error) => error.extensions?.code));
  if (status === 200 && body && !body.errors) return 'ok';
  for (const code of ['TIMEOUT', 'BUSY', 'QUERY_TOO_COMPLEX'] as const) if (codes.has(code)) return code;
  return 'other';
}

/** CPU seconds (user + system) of a process so far, from /proc (Linux). */
function processCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ, 100 on Linux)
  } catch {
    return Number.NaN;
  }
}

/** The machine's busy and total CPU time so far (all cores), from /proc/stat. */
function machineCpu(): { busy: number; total: number } {
  const values = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = values[3]! + (values[4] ?? 0); // idle, iowait
  return { busy: total - idle, total };
}

interface Phase {
  latencies: number[];
  failures: string[];
  seconds: number;
  apiCpuSeconds: number;
  machineBusy: number;
  cappedAt: number | null;
}

export const bystanderScenario: Scenario = {
  name: 'bystander',
  title: 'a listener reading their history while another hammers statistics, against the same reads on an idle server (issue 29)',
  async run(context) {
    const size = SIZES[context.size];
    const preload = PRELOAD_SIZES[context.size];
    const bystanderId = preloadUserId(1);
    const { url: databaseUrl } = await clonePreloadedDatabase(context, 'bystander');
    const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    context.defer(() => sql.end());
    const heavyToken = await benchSessionFor(sql, HEAVY_USER_ID);
    const bystanderToken = await benchSessionFor(sql, bystanderId);

    const api = await startBenchApi(context, databaseUrl, 'bystander');
    const apiUrl = String((await api.waitForLine((line) => line.msg === 'API listening')).url);
    if (!new URL(apiUrl).hostname.startsWith('127.')) throw new Error(`the API listens at ${apiUrl}, not on loopback`);
    const post = (token: string, query: string, signal?: AbortSignal) =>
      fetch(`${apiUrl}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query }), signal });

    /** One bystander read, timed from sending to the last byte of the answer; the answer checked. */
    const readHistory = async (): Promise<{ ms: number; failure: string | null }> => {
      const started = performance.now();
      const response = await post(bystanderToken, BYSTANDER_QUERY);
      const text = await response.text();
      const ms = performance.now() - started;
      let failure: string | null = null;
      try {
        const body = JSON.parse(text) as { data?: { listeningHistory?: { totalCount: number; edges: unknown[] } }; errors?: unknown[] };
        const history = body.data?.listeningHistory;
        if (response.status !== 200 || body.errors) failure = `${response.status}: ${text.slice(0, 200)}`;
        else if (history?.totalCount !== preload.playsPerUser || history.edges.length !== PAGE) failure = `unexpected answer: totalCount ${history?.totalCount}, ${history?.edges.length} plays`;
      } catch {
        failure = `${response.status}: ${text.slice(0, 200)}`;
      }
      return { ms, failure };
    };

    /** The bystander's closed loop at c=1: `requests` reads one after another, ended early at `capSeconds`. */
    const bystanderLoop = async (requests: number, capSeconds: number): Promise<Phase> => {
      const latencies: number[] = [];
      const failures: string[] = [];
      const cpuBefore = processCpuSeconds(api.pid);
      const machineBefore = machineCpu();
      const started = performance.now();
      let cappedAt: number | null = null;
      for (let i = 0; i < requests; i++) {
        if (performance.now() - started > capSeconds * 1000) {
          cappedAt = i;
          break;
        }
        const { ms, failure } = await readHistory();
        latencies.push(ms);
        if (failure) failures.push(failure);
      }
      const machineAfter = machineCpu();
      return {
        latencies,
        failures,
        seconds: (performance.now() - started) / 1000,
        apiCpuSeconds: processCpuSeconds(api.pid) - cpuBefore,
        machineBusy: (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
        cappedAt,
      };
    };

    // Every year in review the heavy user asks is computed, never one kept from before (docs/stats.md, "The year in
    // review"): before each operation their kept reviews are outdated, as an import into their history would.
    const outdateKeptReviews = () =>
      sql.query('insert into year_review_versions (user_id, year, version) values ($1, 0, 1) on conflict (user_id, year) do update set version = year_review_versions.version + 1', [HEAVY_USER_ID]);

    // The heavy operation must be within the limits (else the load would be refused, not run): one on the idle server.
    context.log('one heavy operation on the idle server');
    await outdateKeptReviews();
    const probeStarted = performance.now();
    const probe = await post(heavyToken, heavyOperation(0));
    const probeBody = (await probe.json()) as Parameters<typeof outcomeOf>[1];
    const probeMs = performance.now() - probeStarted;
    const probeOutcome = outcomeOf(probe.status, probeBody);
    if (probeOutcome === 'QUERY_TOO_COMPLEX' || probeOutcome === 'other') throw new Error(`the heavy operation is refused on an idle server (${probe.status}): ${JSON.stringify(probeBody).slice(0, 400)}`);

    // Phase 1: the bystander alone (after a warm-up: JIT, plans, the pool's connections).
    context.log(`idle: ${size.warmUp} warm-up reads, then ${size.requests} measured, c=1`);
    await bystanderLoop(size.warmUp, size.capSeconds);
    const idle = await bystanderLoop(size.requests, size.capSeconds);

    // Phase 2: the heavy user's clients, each in a closed loop, until the bystander's loop ends.
    const counts: Record<Outcome, number> = { ok: 0, TIMEOUT: 0, BUSY: 0, QUERY_TOO_COMPLEX: 0, other: 0 };
    const heavyLatencies: number[] = [];
    const otherSamples: string[] = [];
    let cutOff = 0;
    let sent = 0;
    const stop = new AbortController();
    // Bounded in time as well as by the bystander's loop: the cap, plus one request's deadline and some.
    const hardStop = setTimeout(() => stop.abort(), (size.capSeconds + 30) * 1000);
    const heavyClient = async () => {
      while (!stop.signal.aborted) {
        const n = sent++;
        const started = performance.now();
        try {
          await outdateKeptReviews();
          const response = await post(heavyToken, heavyOperation(n), stop.signal);
          const text = await response.text();
          let body: Parameters<typeof outcomeOf>[1] = null;
          try {
            body = JSON.parse(text) as Parameters<typeof outcomeOf>[1];
          } catch {
            body = null;
          }
          const outcome = outcomeOf(response.status, body);
          counts[outcome] += 1;
          heavyLatencies.push(performance.now() - started);
          if (outcome === 'other' && otherSamples.length < 3) otherSamples.push(`${response.status}: ${text.slice(0, 200)}`);
        } catch (error) {
          if (stop.signal.aborted) cutOff += 1;
          else {
            counts.other += 1;
            if (otherSamples.length < 3) otherSamples.push((error as Error).message);
          }
        }
      }
    };
    context.log(`loaded: ${size.heavyClients} heavy clients, ${size.rampUpMs} ms ramp-up, then ${size.requests} bystander reads`);
    const heavyStarted = performance.now();
    const clients = Array.from({ length: size.heavyClients }, heavyClient);
    let loaded: Phase;
    try {
      await sleep(size.rampUpMs);
      loaded = await bystanderLoop(size.requests, size.capSeconds);
    } finally {
      stop.abort();
      clearTimeout(hardStop);
      await Promise.all(clients);
    }
    const heavySeconds = (performance.now() - heavyStarted) / 1000;
    // Aborted requests are cancelled by the API within a second (their client went away): wait for an idle share.
    await sleep(1_000);
    const apiPeakRss = api.peakRssBytes();

    const p = (phase: Phase, q: number) => quantile(phase.latencies, q);
    const ms = (value: number) => (Number.isNaN(value) ? 'none answered' : `${formatNumber(value)} ms`);
    const heavyAnswered = OUTCOMES.reduce((sum, outcome) => sum + counts[outcome], 0);
    const rows: ResultRow[] = [
      atMostRatioRow({
        figure: `bystander p99 under load (${loaded.latencies.length} reads, c=1)`,
        value: p(loaded, 0.99),
        unit: 'ms',
        baselineName: `idle server (${idle.latencies.length} reads)`,
        baselineValue: p(idle, 0.99),
        maxRatio: MAX_RATIO,
      }),
      atMostRatioRow({ figure: 'bystander p50 under load', value: p(loaded, 0.5), unit: 'ms', baselineName: 'idle server', baselineValue: p(idle, 0.5), maxRatio: null }),
      infoRow('bystander max under load', ms(Math.max(...loaded.latencies)), `idle: ${ms(Math.max(...idle.latencies))}`),
      checkRow({
        figure: 'bystander reads that failed',
        measured: `${loaded.failures.length} of ${loaded.latencies.length} under load${loaded.failures[0] ? ` (first: ${loaded.failures[0]})` : ''}`,
        baseline: `idle: ${idle.failures.length} of ${idle.latencies.length}`,
        target: '0',
        pass: loaded.failures.length === 0 && idle.failures.length === 0,
      }),
      infoRow(
        `heavy user's answers (${size.heavyClients} clients, ${formatNumber(heavySeconds)} s)`,
        OUTCOMES.map((outcome) => `${outcome} ${counts[outcome]}`).join(', '),
        `${heavyAnswered} answered, ${cutOff} cut off when the bystander's loop ended`,
      ),
      infoRow(
        "heavy user's answer time p50 / p99",
        `${ms(quantile(heavyLatencies, 0.5))} / ${ms(quantile(heavyLatencies, 0.99))}`,
        `one heavy operation on the idle server: ${ms(probeMs)} (${probeOutcome})`,
      ),
      infoRow(
        'CPU: API process (of one core) / whole machine (of 2 cores) busy',
        `under load: ${formatNumber((100 * loaded.apiCpuSeconds) / loaded.seconds)} % / ${formatNumber(100 * loaded.machineBusy)} %`,
        `idle: ${formatNumber((100 * idle.apiCpuSeconds) / idle.seconds)} % / ${formatNumber(100 * idle.machineBusy)} %`,
      ),
      infoRow('API peak RSS', `${formatNumber(apiPeakRss / 2 ** 20)} MiB`, '—'),
    ];
    if (otherSamples.length) rows.push(infoRow("heavy user's other answers (first few)", otherSamples.join(' | ')));
    return {
      rows,
      notes: [
        `bystander: a preloaded user with ${preload.playsPerUser.toLocaleString('en-US')} plays, reading listeningHistory(first: ${PAGE}) with totalCount, track, album and artists, one request after another (c=1), timed to the answer's last byte; ${size.warmUp} warm-up reads first`,
        `baseline: the same bystander requests against the same API process on the same database in the same run, with nothing else running (phase 1); then the same ${size.requests} requests while the heavy user's load runs (phase 2, after ${size.rampUpMs} ms of it)${loaded.cappedAt !== null ? `; phase 2 was cut at ${size.capSeconds} s after ${loaded.cappedAt} reads` : ''}`,
        `heavy user: ${preload.heavyUserPlays.toLocaleString('en-US')} plays (zone UTC); ${size.heavyClients} clients in closed loops, each operation the maximum of 5 statistics fields (GRAPHQL_MAX_EXPENSIVE_FIELDS): 3 yearInReview, a 20-year listeningSummary and 5 years of listeningActivity(bucket: DAY), each in another zone, years and zones rotating, the user's kept years in review outdated before each (so each is computed); stopped (requests aborted) when the bystander's loop ended; ${cutOff} requests were in flight then`,
        `an answer is counted by its error: TIMEOUT before BUSY before QUERY_TOO_COMPLEX (a partial answer with one field's error counts as that error); ${sent} heavy operations sent in all`,
        'one API process as the other scenarios start it (NODE_ENV=production, DATABASE_POOL_MAX 10, so a listener\'s share API_USER_DB_CONNECTIONS is 2, API_USER_DB_QUEUE 64, API_REQUEST_TIMEOUT_SECONDS 10, rate limits off); all traffic to 127.0.0.1',
        'CPU: the API process\'s user + system time from /proc/<pid>/stat over each measured phase, the machine\'s from /proc/stat (Postgres and this benchmark process included)',
      ],
    };
  },
};
