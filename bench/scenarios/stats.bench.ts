import autocannon from 'autocannon';
import pg from 'pg';
import { openOrm } from '../../services/features/open-orm.js';
import { recountActivity, recountClock, recountSummary } from '../../services/features/statistics/data/stats-recount.repository.js';
import { loadRanking } from '../../services/features/statistics/data/stats-rankings.repository.js';
import { computeYearFigures } from '../../services/features/statistics/year-in-review.js';
import { setUserTimeZone } from '../../services/features/statistics/data/stats-zone.repository.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import type { PlayInput } from '../../services/features/plays/play-input.js';
import { HISTORY_QUERY } from '../baselines/bare-history-handler.js';
import { totalRelationBytes } from '../support/bench-database.js';
import { albumId, artistId, HEAVY_USER_ID, PRELOAD_END, PRELOAD_SIZES, preloadUserId, trackId } from '../support/preloaded-history.js';
import { atLeastRatioRow, atMostRatioRow, checkRow, formatLatency, formatNumber, infoRow, type ResultRow } from '../support/results-table.js';
import type { Scenario } from '../support/scenario.js';
import { benchSessionFor, startBenchApi } from '../support/bench-api.js';
import { clonePreloadedDatabase } from '../support/shared-databases.js';
import { median, timed } from '../support/stopwatch.js';

/** Default: seconds per point; small (smoke): a fixed number of requests; recount runs per query; ingest batches per side. */
const SIZES = { small: { seconds: 1, requests: 20, recounts: 2, batches: 10 }, default: { seconds: 3, requests: null, recounts: 3, batches: 60 } };
const CONCURRENCY = [1, 32] as const;
const ZONE = 'Europe/Berlin';
/** A zone a query may ask for instead of the user's own. */
const OTHER_ZONE = 'America/New_York';
const DAY = 86_400_000;
const REVIEW_2025 = '{ yearInReview(year: 2025) { summary { plays } topTracks { rank } topArtists { rank } topAlbums { rank } busiestDay { date } newArtistCount months { plays } } }';

interface Query {
  name: string;
  allTime: boolean;
  graphql: string;
  /** The same answer's work, recounted from the plays (the data layer's recount statements); none for a query with no single recount. */
  recount?: (em: ReturnType<Awaited<ReturnType<typeof openOrm>>['em']['fork']>) => Promise<unknown>;
}

export const statsScenario: Scenario = {
  name: 'stats',
  title: 'statistics over HTTP from the rollups, against recounting the plays',
  async run(context) {
    const size = SIZES[context.size];
    const heavyPlays = PRELOAD_SIZES[context.size].heavyUserPlays;
    const { url: databaseUrl } = await clonePreloadedDatabase(context, 'stats');
    const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    context.defer(() => sql.end());
    const orm = await openOrm({ DATABASE_URL: databaseUrl, DATABASE_POOL_MAX: 2 });
    context.defer(() => orm.close(true));
    const token = await benchSessionFor(sql, HEAVY_USER_ID);
    // As updateSettings sets it: the zone, and the user's local rollups recomputed in it.
    if (!(await setUserTimeZone(orm.em.fork(), HEAVY_USER_ID, ZONE))) throw new Error('the heavy user is missing');

    const last30 = { from: new Date(PRELOAD_END - 30 * DAY), to: new Date(PRELOAD_END) };
    const range = (r: { from: Date; to: Date }) => `range: { from: "${r.from.toISOString()}", to: "${r.to.toISOString()}" }`;
    const scope = (r?: { from: Date; to: Date }) => ({ userId: HEAVY_USER_ID, timeZone: ZONE, ...(r ?? {}) });
    const firstPlay = new Date(PRELOAD_END - heavyPlays * 180_000);
    const queries: Query[] = [
      { name: 'listeningSummary, all time', allTime: true, graphql: '{ listeningSummary { plays msPlayed distinctTracks distinctArtists distinctAlbums activeDays longestStreak { days } } }', recount: (em) => recountSummary(em, scope()) },
      { name: 'listeningActivity by month, all time', allTime: true, graphql: '{ listeningActivity(range: {}, bucket: MONTH) { start plays msPlayed } }', recount: (em) => recountActivity(em, scope(), 'month', firstPlay, new Date()) },
      {
        name: `listeningActivity by month, all time, in ${OTHER_ZONE} (not the user's zone: from quarter hours)`,
        allTime: true,
        graphql: `{ listeningActivity(range: {}, bucket: MONTH, timeZone: "${OTHER_ZONE}") { start plays msPlayed } }`,
        recount: (em) => recountActivity(em, { ...scope(), timeZone: OTHER_ZONE }, 'month', firstPlay, new Date()),
      },
      { name: 'listeningClock, all time', allTime: true, graphql: '{ listeningClock { weekday hour plays msPlayed } }', recount: (em) => recountClock(em, scope()) },
      ...(['track', 'artist', 'album'] as const).map((kind) => ({
        name: `top${kind[0]!.toUpperCase()}${kind.slice(1)}s, all time`,
        allTime: true,
        graphql: `{ top${kind[0]!.toUpperCase()}${kind.slice(1)}s(first: 50) { totalCount edges { node { rank plays msPlayed ${kind} { id name } } } } }`,
        recount: (em: Parameters<NonNullable<Query['recount']>>[0]) => loadRanking(em, { userId: HEAVY_USER_ID, kind, order: 'plays', size: 50, source: 'recount' }),
      })),
      { name: 'listeningSummary, last 30 days', allTime: false, graphql: `{ listeningSummary(${range(last30)}) { plays msPlayed distinctTracks activeDays } }`, recount: (em) => recountSummary(em, scope(last30)) },
      { name: 'listeningActivity by day, last 30 days', allTime: false, graphql: `{ listeningActivity(${range(last30)}, bucket: DAY) { start plays } }`, recount: (em) => recountActivity(em, scope(last30), 'day', last30.from, new Date(last30.to.getTime() - 1)) },
      { name: 'topTracks, last 30 days', allTime: false, graphql: `{ topTracks(${range(last30)}, first: 50) { edges { node { rank plays track { name } } } } }`, recount: (em) => loadRanking(em, { userId: HEAVY_USER_ID, kind: 'track', order: 'plays', size: 50, source: 'recount', ...last30 }) },
      {
        name: 'yearInReview 2025 (kept)',
        allTime: false,
        graphql: REVIEW_2025,
        // What answering it costs without a kept review: the same figures computed by the feature's own statements, without HTTP.
        recount: (em) => computeYearFigures(em, { userId: HEAVY_USER_ID, year: 2025, timeZone: ZONE }),
      },
    ];

    const api = await startBenchApi(context, databaseUrl, 'stats');
    const apiUrl = String((await api.waitForLine((line) => line.msg === 'API listening')).url);
    const request = (query: string) => ({ url: `${apiUrl}/graphql`, method: 'POST' as const, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const ask = async (query: string) => {
      const { url, ...init } = request(query);
      const response = await fetch(url, init);
      const body = (await response.json()) as { errors?: unknown[] };
      if (response.status !== 200 || body.errors) throw new Error(`${query.slice(0, 60)} answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
      return body;
    };

    const load = async (query: string, connections: number) => {
      const amount = size.requests === null ? {} : { amount: Math.max(size.requests, connections * 2), sampleInt: 100 };
      // A slow query under 32 clients queues behind the API's pool: a request still waiting after a minute is
      // counted as unanswered (below), not as a failure; an error answer is one.
      const result = await autocannon({ ...request(query), connections, duration: size.seconds, ...amount, pipelining: 1, timeout: 60 });
      if (result.non2xx > 0 || result.errors > result.timeouts) throw new Error(`${query.slice(0, 60)}: failed requests under load`);
      // No answer within the window: its latency is longer than the window.
      const none = result.requests.total === 0;
      return { requestsPerSecond: result.requests.total / result.duration, p50: none ? Infinity : result.latency.p50, p99: none ? Infinity : result.latency.p99 };
    };

    const latency = (ms: number) => formatLatency(ms, size.seconds);
    const rows: ResultRow[] = [];
    for (const query of queries) {
      await ask(query.graphql); // warm: plans, JIT
      // One request at a time against one recount at a time, alternating, on an idle server.
      const single: number[] = [];
      const recount: number[] = [];
      context.log(`${query.name}: ${size.recounts} single requests${query.recount ? ' and recounts, alternating' : ''}`);
      for (let i = 0; i < size.recounts; i++) {
        single.push((await timed(() => ask(query.graphql))).ms);
        if (query.recount) recount.push((await timed(() => query.recount!(orm.em.fork()))).ms);
      }
      context.log(`${query.name}: GraphQL at c=1 and c=32`);
      const [one, many] = [await load(query.graphql, CONCURRENCY[0]), await load(query.graphql, CONCURRENCY[1])];
      // Requests cut off at the end of a point may still run: one more waits for them, so the next query starts idle.
      await ask(query.graphql);
      const graphqlMs = median(single);
      if (recount.length > 0) {
        // Answers per second one after another: the ratio is how many times faster than recounting.
        rows.push(
          atLeastRatioRow({
            figure: `${query.name} (GraphQL ${formatNumber(graphqlMs)} ms)`,
            value: 1000 / graphqlMs,
            unit: 'answers/s',
            baselineName: `recount (${formatNumber(median(recount))} ms)`,
            baselineValue: 1000 / median(recount),
            minRatio: query.allTime ? 20 : null,
          }),
        );
      }
      rows.push(
        checkRow({
          figure: `${query.name}: GraphQL p50 / p99`,
          measured: `c=1: ${latency(one.p50)} / ${latency(one.p99)}; c=32: ${latency(many.p50)} / ${latency(many.p99)}, ${formatNumber(many.requestsPerSecond)} req/s`,
          target: 'p99 < 50 ms at c=1',
          pass: one.p99 < 50,
        }),
      );
    }

    // The first answer after something it counts changed: the year in review computed and kept, over GraphQL.
    const computed: number[] = [];
    context.log(`yearInReview 2025: ${size.recounts} requests with nothing kept`);
    for (let i = 0; i < size.recounts; i++) {
      await sql.query('delete from year_reviews where user_id = $1', [HEAVY_USER_ID]);
      computed.push((await timed(() => ask(REVIEW_2025))).ms);
    }
    rows.push(infoRow('yearInReview 2025, nothing kept (the first answer after an import or delete): GraphQL median', `${formatNumber(median(computed))} ms`));

    // totalCount of the whole history against a first history page, both over GraphQL.
    context.log('totalCount against a first history page');
    await ask('{ listeningHistory(first: 1) { totalCount } }');
    const total = await load('{ listeningHistory(first: 1) { totalCount } }', 1);
    const firstPage = await load(HISTORY_QUERY.replace('query History($after: String)', 'query History').replace(', after: $after', ''), 1);
    rows.push(atMostRatioRow({ figure: `totalCount of ${heavyPlays.toLocaleString('en-US')} plays, p50 at c=1`, value: total.p50, unit: 'ms', baselineName: 'first history page', baselineValue: Math.max(firstPage.p50, 1), maxRatio: 1 }));

    // What keeping the rollups costs a worker's 50-play batches: the same kind of batch with the
    // statistics trigger on and off, in alternating blocks.
    const withRollups: number[] = [];
    const without: number[] = [];
    let second = 0;
    const batch = (): PlayInput[] =>
      Array.from({ length: 50 }, () => {
        const n = 1 + ((second++ * 7919) % PRELOAD_SIZES[context.size].tracks);
        return {
          playedAt: new Date(PRELOAD_END + second * 1000).toISOString(),
          msPlayed: null,
          context: null,
          track: { id: trackId(n), name: `Track ${n}`, uri: `spotify:track:${trackId(n)}`, durationMs: 180_000, album: { id: albumId(1 + (n % 10)), name: 'a', uri: 'spotify:album:a', releaseDate: null, imageUrl: null }, artists: [{ id: artistId(1 + (n % 10)), name: 'a', uri: 'spotify:artist:a' }] },
        };
      });
    context.log(`ingest: ${size.batches} batches of 50 with the rollups' trigger and ${size.batches} without, in blocks of 10`);
    for (let block = 0; block < size.batches / 10; block++) {
      for (const on of [true, false]) {
        await sql.query(`alter table listening_events ${on ? 'enable' : 'disable'} trigger listening_events_stats_stored`);
        for (let i = 0; i < 10; i++) {
          const userId = preloadUserId(1 + ((block * 20 + i) % PRELOAD_SIZES[context.size].users));
          (on ? withRollups : without).push((await timed(() => ingestPlays(orm.em.fork(), { userId, plays: batch(), source: 'poll' }))).ms);
        }
      }
    }
    await sql.query('alter table listening_events enable trigger listening_events_stats_stored');
    const rate = (ms: number[]) => (50 * 1000) / median(ms);
    rows.push(atLeastRatioRow({ figure: 'ingestPlays, 50-play batches, with the rollups kept', value: rate(withRollups), unit: 'rows/s', baselineName: 'trigger off', baselineValue: rate(without), minRatio: 0.75 }));

    let rollupBytes = 0;
    for (const table of ['stats_quarters', 'stats_tracks', 'stats_days', 'stats_clock']) rollupBytes += await totalRelationBytes(sql, table);
    const playBytes = await totalRelationBytes(sql, 'listening_events');
    rows.push(atMostRatioRow({ figure: 'rollups on disk (stats_quarters, stats_tracks, stats_days, stats_clock)', value: rollupBytes / 2 ** 20, unit: 'MiB', baselineName: 'listening_events', baselineValue: playBytes / 2 ** 20, maxRatio: 0.3 }));
    // The rollups' size follows the distinct (user, track) pairs: what it is on this data, per kind of user.
    const rowsPerPlay = async (users: string) => {
      const { rows: counted } = await sql.query<{ plays: string; tracks: string; other: string }>(
        `select (select count(*) from listening_events where user_id ${users}) as plays, (select count(*) from stats_tracks where user_id ${users}) as tracks,
                (select count(*) from stats_quarters where user_id ${users}) + (select count(*) from stats_days where user_id ${users}) + (select count(*) from stats_clock where user_id ${users}) as other`,
        [HEAVY_USER_ID],
      );
      const { plays, tracks, other } = counted[0]!;
      return `${formatNumber(Number(tracks) / Number(plays))} track rows and ${formatNumber(Number(other) / Number(plays))} time rows per play`;
    };
    rows.push(infoRow('rollup rows per stored play', `user with ${heavyPlays.toLocaleString('en-US')} plays: ${await rowsPerPlay('= $1')}; the others: ${await rowsPerPlay('<> $1')}`));
    rows.push(infoRow('API RSS after the statistics load', `${formatNumber(api.rssBytes() / 2 ** 20)} MiB, peak ${formatNumber(api.peakRssBytes() / 2 ** 20)} MiB`));
    return {
      rows,
      notes: [
        `the user has ${heavyPlays.toLocaleString('en-US')} plays over ${Math.round((PRELOAD_END - firstPlay.getTime()) / DAY / 365)} years (one every 3 minutes), zone ${ZONE}; last 30 days: the 30 days before the newest play`,
        `GraphQL: autocannon, ${size.seconds} s per point (c=1 and c=32) after a warm-up request; the ratio compares the median of ${size.recounts} single requests with the median of ${size.recounts} runs of the data layer's recount statements for the same answer (stats-recount.repository.ts, loadRanking with source 'recount': GROUP BY over the plays), run in this process without HTTP, so the ratio understates the rollups' gain; for the year in review kept, the baseline is the same review computed by the feature's own statements (computeYearFigures: what a request with nothing kept runs), without HTTP`,
        'ingest: batches of 50 new plays of catalogue tracks for the preloaded users, the statistics trigger on and off in alternating blocks of 10 (ALTER TABLE … DISABLE TRIGGER); medians',
      ],
    };
  },
};
