import pg from 'pg';
import { HISTORY_QUERY } from '../baselines/bare-history-handler.js';
import { HEAVY_USER_ID, PRELOAD_SIZES } from '../support/preloaded-history.js';
import { checkRow, formatLatency, formatNumber, infoRow, type ResultRow } from '../support/results-table.js';
import type { Scenario } from '../support/scenario.js';
import { benchSessionFor, startBenchApi } from '../support/bench-api.js';
import { clonePreloadedDatabase } from '../support/shared-databases.js';
import { median, quantile } from '../support/stopwatch.js';

/** Default: seconds per point; small (smoke): requests per client. */
const SIZES = { small: { seconds: null, requests: 10, queries: 20 }, default: { seconds: 10, requests: null, queries: 200 } };
const CONCURRENCY = [1, 32] as const;
/** Targets from issue 32, for the user with 1,000,000 plays and 40,000 distinct tracks. */
const TARGET_MS = { 1: 50, 32: 200 } as const;

/**
 * Names as a catalogue has them instead of the preload's "Track 17": words of two or three syllables, a few in
 * each name, some with accents, drawn by each row's number (the same names in every run).
 */
const REALISTIC_NAMES = `
create function pg_temp.bench_word(n bigint) returns text language sql immutable as $$
  select initcap((array['ka','lo','mi','sen','ta','ri','vo','né','da','pu','shi','ar','el','on','ré','zu','ba','ki','mo','lé','ga','tho','ul','vi','çe'])[1 + (n % 25)]
              || (array['ra','ne','lo','to','mi','sa','ké','dri','vel','mon','tis','ga','rö','fi','lan','ber'])[1 + ((n / 25) % 16)]
              || case when n % 3 = 0 then (array['n','s','th','ne','ro','l','x','go'])[1 + ((n / 400) % 8)] else '' end)
$$;
update artists set name = pg_temp.bench_word(hashint8(i) & 65535) || case when i % 4 = 0 then '' else ' ' || pg_temp.bench_word(hashint8(i * 7) & 65535) end
  from (select id, row_number() over (order by id) as i from artists) a where artists.id = a.id;
update albums set name = pg_temp.bench_word(hashint8(i * 11) & 65535) || ' ' || pg_temp.bench_word(hashint8(i * 13) & 65535)
  from (select id, row_number() over (order by id) as i from albums) a where albums.id = a.id;
update tracks set name = pg_temp.bench_word(hashint8(i * 17) & 65535) || ' ' || pg_temp.bench_word(hashint8(i * 19) & 65535)
                         || case when i % 2 = 0 then ' ' || pg_temp.bench_word(hashint8(i * 23) & 65535) else '' end
  from (select id, row_number() over (order by id) as i from tracks) t where tracks.id = t.id;`;

/** What listeners type: a name's first word half typed, two words with a letter wrong, a name without its accents, in lower case. */
function queriesFrom(names: readonly string[]): string[] {
  return names.map((name, i) => {
    const words = name.split(' ');
    const plain = name.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
    switch (i % 3) {
      case 0:
        return words[0]!.slice(0, Math.max(3, Math.ceil(words[0]!.length * 0.7)));
      case 1: {
        // One letter replaced: a typo.
        const at = Math.min(plain.length - 1, 2 + (i % Math.max(1, plain.length - 2)));
        return `${plain.slice(0, at)}${plain[at] === 'e' ? 'a' : 'e'}${plain.slice(at + 1)}`;
      }
      default:
        return plain;
    }
  });
}

interface Point {
  p50: number;
  p99: number;
  requestsPerSecond: number;
  requests: number;
}

export const searchScenario: Scenario = {
  name: 'search',
  title: 'search: what the user with 1,000,000 plays played, by a name typed carelessly, over HTTP',
  async run(context) {
    const size = SIZES[context.size];
    const { url: databaseUrl } = await clonePreloadedDatabase(context, 'search');
    const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    context.defer(() => sql.end());
    context.log('giving the catalogue realistic names');
    await sql.query(REALISTIC_NAMES);
    await sql.query('vacuum analyze artists, albums, tracks');
    const { rows: sampled } = await sql.query<{ name: string }>(
      `select name from (select t.name from stats_tracks st join tracks t on t.id = st.track_id where st.user_id = $1
                         union all select ar.name from artists ar union all select al.name from albums al) n
        order by md5(name) limit $2`,
      [HEAVY_USER_ID, size.queries],
    );
    const queries = queriesFrom(sampled.map((row) => row.name));
    const { rows: counted } = await sql.query<{ tracks: string }>('select count(*) as tracks from stats_tracks where user_id = $1', [HEAVY_USER_ID]);
    const token = await benchSessionFor(sql, HEAVY_USER_ID);
    const api = await startBenchApi(context, databaseUrl, 'search');
    const apiUrl = String((await api.waitForLine((line) => line.msg === 'API listening')).url);

    const SEARCH = 'query ($query: String!) { search(query: $query, first: 10) { totalCount edges { node { kind plays item { __typename ... on Node { id } ... on Track { name } ... on Album { name } ... on Artist { name } } } } } }';
    const FIRST_PAGE = HISTORY_QUERY.replace('query History($after: String)', 'query History').replace(', after: $after', '');
    const found: number[] = [];
    const ask = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(`${apiUrl}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as { data?: { search?: { totalCount: number } }; errors?: unknown[] };
      if (response.status !== 200 || body.errors) throw new Error(`answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
      if (body.data?.search) found.push(body.data.search.totalCount);
    };
    // Closed loops: each client sends its next request when its last is answered, for a while (or a count, when small).
    const load = async (clients: number, request: (n: number) => Promise<void>): Promise<Point> => {
      const latencies: number[] = [];
      let sent = 0;
      const started = performance.now();
      const until = size.seconds === null ? Infinity : started + size.seconds * 1000;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          for (let i = 0; size.requests === null ? performance.now() < until : i < size.requests; i++) {
            const n = sent++;
            const begun = performance.now();
            await request(n);
            latencies.push(performance.now() - begun);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), requestsPerSecond: latencies.length / seconds, requests: latencies.length };
    };

    context.log(`warming up: each of ${queries.length} queries once`);
    for (const query of queries) await ask(SEARCH, { query });
    const rows: ResultRow[] = [];
    const latency = (ms: number) => formatLatency(ms, Infinity);
    for (const clients of CONCURRENCY) {
      context.log(`search at c=${clients}, then a first history page at c=${clients}`);
      const search = await load(clients, (n) => ask(SEARCH, { query: queries[n % queries.length]! }));
      const history = await load(clients, () => ask(FIRST_PAGE, {}));
      rows.push(
        checkRow({
          figure: `search p50 / p99, c=${clients}`,
          measured: `${latency(search.p50)} / ${latency(search.p99)}, ${formatNumber(search.requestsPerSecond)} req/s (${search.requests} requests)`,
          baseline: `first history page: ${latency(history.p50)} / ${latency(history.p99)}, ${formatNumber(history.requestsPerSecond)} req/s`,
          target: `p99 ≤ ${TARGET_MS[clients]} ms`,
          pass: search.p99 <= TARGET_MS[clients],
        }),
      );
    }
    rows.push(infoRow('results per query (totalCount): median / max', `${formatNumber(median(found))} / ${formatNumber(Math.max(...found))}`));
    return {
      rows,
      notes: [
        `the user has ${PRELOAD_SIZES[context.size].heavyUserPlays.toLocaleString('en-US')} plays of ${Number(counted[0]!.tracks).toLocaleString('en-US')} distinct tracks; the catalogue (${PRELOAD_SIZES[context.size].tracks.toLocaleString('en-US')} tracks, their artists and albums) renamed with made-up words of two or three syllables, some accented, a few words a name`,
        `queries: ${queries.length} names the user played, or artists and albums of the catalogue, typed as a listener might: a first word 70 % typed, a letter wrong, without accents in lower case; each query asked in turn, \`first: 10\``,
        size.seconds === null ? `${size.requests} requests per client` : `closed loops of 1 and 32 clients, ${size.seconds} s each; the baseline is the first history page (listeningHistory(first: 50) with totalCount, track, album, artists) of the same user, the same way, in the same run`,
      ],
    };
  },
};
