import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isEnumType, Kind, parse, print, type DefinitionNode, type FragmentDefinitionNode, type OperationDefinitionNode, type TypeNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApiConfig } from '../../services/api/config.js';
import { buildApiSchema } from '../../services/api/graphql/build-schema.js';
import { ConfigError } from '../../services/shared/config/load-config.js';
import type { PlayInput } from '../../services/features/plays/play-input.js';
import { ingestPlays } from '../../services/features/plays/ingest-plays.js';
import { PRESETS, rangeOf } from '../../services/web/src/features/stats/ranges.js';
// Spelled from the root: the lint rule keeping services apart matches `../api/*` and means services/api.
import { postGraphql, startApiHarness, type ApiHarness, type LoggedIn } from '../../test/api/api-harness.js';
import { newEncryptionKeys } from '../../test/support/test-env.js';

/**
 * Statistics cost what they do (issue 29, findings 1, 2 and 9): an operation may hold only a few
 * statistics fields, each priced by its range, its buckets, its page and its zone, before anything runs;
 * one listeningActivity answers a bounded number of buckets; dates statistics cannot count are
 * BAD_USER_INPUT. The web app's own operations stay within every limit.
 */
let h: ApiHarness;
let prober: LoggedIn;
let listener: LoggedIn;

const DAY_MS = 86_400_000;
const NOW = Date.now();

beforeAll(async () => {
  // Production: an unexpected error is masked there as INTERNAL_SERVER_ERROR, which is what users would see.
  h = await startApiHarness({ label: 'statistics_cost', env: { NODE_ENV: 'production', RATE_LIMIT_GRAPHQL: '0', SESSION_COOKIE_SECURE: 'false' } });
  prober = await h.login(h.emulator.users()[0]!.id);
  listener = await h.login(h.emulator.users()[1]!.id);
  // The prober: 27 years of history. The listener: the last two years, as the web app shows them.
  await store(prober, [Date.parse('1999-06-01T12:00:00Z'), Date.parse('2012-03-04T08:00:00Z'), Date.parse('2026-06-01T12:00:00Z')]);
  await store(listener, Array.from({ length: 40 }, (_, i) => NOW - Math.round(((i + 1) * 700 * DAY_MS) / 40)));
});
afterAll(async () => {
  await h?.stop();
});

async function store(user: LoggedIn, instants: number[]): Promise<void> {
  const plays: PlayInput[] = instants.map((instant, i) => ({
    playedAt: new Date(instant).toISOString(),
    msPlayed: null,
    context: null,
    track: {
      id: `costTrack${String(i % 5).padStart(13, '0')}`,
      name: `Track ${i % 5}`,
      uri: `spotify:track:costTrack${String(i % 5).padStart(13, '0')}`,
      durationMs: 180_000,
      album: { id: `costAlbum${String(i % 3).padStart(13, '0')}`, name: `Album ${i % 3}`, uri: `spotify:album:costAlbum${String(i % 3).padStart(13, '0')}`, releaseDate: null, imageUrl: null },
      artists: [{ id: `costArtist${String(i % 2).padStart(12, '0')}`, name: `Artist ${i % 2}`, uri: `spotify:artist:costArtist${String(i % 2).padStart(12, '0')}` }],
    },
  }));
  await ingestPlays(h.db.orm.em.fork(), { userId: user.userId, plays, source: 'poll' });
}

type Body = { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
const send = async (user: LoggedIn | null, query: string, variables: Record<string, unknown> = {}) => {
  const response = await postGraphql(h.graphqlUrl, { query, variables }, user ? { authorization: `Bearer ${user.token}` } : {});
  return { status: response.status, body: response.body as Body };
};
const codes = (body: Body) => (body.errors ?? []).map((error) => error.extensions?.code);
const aliased = (n: number, field: (i: number) => string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field(i)}`).join(' ')} }`;

const ZONES = Intl.supportedValuesOf('timeZone');
const TWENTY_SEVEN_YEARS = '{ from: "1999-06-01T00:00:00Z", to: "2026-06-01T00:00:00Z" }';

describe('statistics fields are priced by their work, and an operation holds only a few of them', () => {
  it('refuses 30 aliased statistics fields with QUERY_TOO_COMPLEX before any of them runs, whichever the field', async () => {
    const probes = [
      aliased(30, (i) => `yearInReview(year: 2026, timeZone: "${ZONES[i * 7]}") { year summary { plays } }`),
      aliased(30, (i) => `listeningActivity(bucket: DAY, range: ${TWENTY_SEVEN_YEARS}, timeZone: "${ZONES[i * 7]}") { start plays msPlayed }`),
      aliased(30, () => 'listeningSummary { plays }'),
      aliased(30, () => 'listeningClock { plays }'),
      aliased(30, () => 'topArtists(first: 200) { totalCount }'),
    ];
    for (const query of probes) {
      const started = Date.now();
      const { status, body } = await send(prober, query);
      expect(status, query.slice(0, 80)).toBe(400);
      expect(codes(body), query.slice(0, 80)).toEqual(['QUERY_TOO_COMPLEX']);
      expect(body.data, 'nothing ran').toBeUndefined();
      expect(Date.now() - started, 'refused at once').toBeLessThan(2_000);
    }
  });

  it('allows a few statistics fields (GRAPHQL_MAX_EXPENSIVE_FIELDS, 5) and names the limit past it, fragments counted', async () => {
    const allowed = await send(prober, aliased(5, () => 'listeningClock { plays }'));
    expect(allowed.body.errors).toBeUndefined();
    expect(Object.keys(allowed.body.data ?? {})).toHaveLength(5);

    const six = await send(prober, aliased(6, () => 'listeningClock { plays }'));
    expect(six.status).toBe(400);
    expect(codes(six.body)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(six.body.errors![0]!.message).toMatch(/6 expensive fields \(statistics\), more than the 5 allowed/);
    expect(six.body.errors![0]!.extensions).toMatchObject({ expensiveFields: 6, maxExpensiveFields: 5 });

    // Six again, three of them through a fragment and two through a fragment inside an inline fragment.
    const viaFragments = await send(
      prober,
      '{ ...Three ... on Query { ...Two } f: listeningClock { plays } } fragment Three on Query { a: listeningClock { plays } b: listeningClock { plays } c: listeningClock { plays } } fragment Two on Query { d: listeningSummary { plays } e: topTracks(first: 1) { totalCount } }',
    );
    expect(codes(viaFragments.body)).toEqual(['QUERY_TOO_COMPLEX']);

    const strict = await h.startAnotherApi({ GRAPHQL_MAX_EXPENSIVE_FIELDS: '1' });
    const two = await postGraphql(`${strict.url}/graphql`, { query: '{ listeningSummary { plays } listeningClock { plays } }' }, { authorization: `Bearer ${prober.token}` });
    expect((two.body as Body).errors![0]!.message).toMatch(/2 expensive fields \(statistics\), more than the 1 allowed/);
  });

  it('reads GRAPHQL_MAX_EXPENSIVE_FIELDS at start-up: 5 by default, a whole number from 1 to 100', () => {
    const base = { TOKEN_ENCRYPTION_KEYS: newEncryptionKeys(), SPOTIFY_CLIENT_ID: 'id', SPOTIFY_CLIENT_SECRET: 'secret' };
    expect(loadApiConfig(base).GRAPHQL_MAX_EXPENSIVE_FIELDS).toBe(5);
    expect(loadApiConfig({ ...base, GRAPHQL_MAX_EXPENSIVE_FIELDS: '12' }).GRAPHQL_MAX_EXPENSIVE_FIELDS).toBe(12);
    for (const bad of ['0', '101', '2.5', 'lots']) {
      expect(() => loadApiConfig({ ...base, GRAPHQL_MAX_EXPENSIVE_FIELDS: bad }), bad).toThrow(ConfigError);
      expect(() => loadApiConfig({ ...base, GRAPHQL_MAX_EXPENSIVE_FIELDS: bad }), bad).toThrow(/GRAPHQL_MAX_EXPENSIVE_FIELDS/);
    }
  });

  it('prices listeningActivity by its buckets, read from the variables: the cost of a cheap call is never reused for a dear one', async () => {
    const query = 'query ($bucket: ActivityBucket!, $range: StatsRange!) { a: listeningActivity(bucket: $bucket, range: $range) { start plays msPlayed } b: listeningActivity(bucket: $bucket, range: $range) { start plays msPlayed } c: listeningActivity(bucket: $bucket, range: $range) { start plays msPlayed } }';
    // Five years: 1,826 days each (within the 2,000 buckets one answer may hold), three of them too dear together.
    const range = { from: '2021-06-01T00:00:00Z', to: '2026-06-01T00:00:00Z' };
    const yearly = await send(prober, query, { bucket: 'YEAR', range });
    expect(yearly.body.errors).toBeUndefined();
    expect((yearly.body.data!.a as unknown[]).length).toBe(6);
    const daily = await send(prober, query, { bucket: 'DAY', range });
    expect(daily.status).toBe(400);
    expect(codes(daily.body)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(daily.body.errors![0]!.message).toMatch(/^Operation costs \d+, more than the 10000 allowed/);
    // One of them alone is answered.
    const one = await send(prober, 'query ($range: StatsRange!) { listeningActivity(bucket: DAY, range: $range) { start plays msPlayed } }', { range });
    expect(one.body.errors).toBeUndefined();
    expect((one.body.data!.listeningActivity as unknown[]).length).toBe(1_826);
  });

  it('prices another time zone, a longer range and a longer ranking page above their cheaper forms', async () => {
    // An API that refuses everything says what each operation would have cost.
    const pricing = await h.startAnotherApi({ GRAPHQL_MAX_COST: '1' });
    const cost = async (query: string) => {
      const response = await postGraphql(`${pricing.url}/graphql`, { query }, { authorization: `Bearer ${prober.token}` });
      const error = (response.body as Body).errors?.[0];
      expect(error?.extensions?.code, query).toBe('QUERY_TOO_COMPLEX');
      return error!.extensions!.cost as number;
    };
    const week = '{ from: "2026-05-01T00:00:00Z", to: "2026-05-08T00:00:00Z" }';
    const decade = '{ from: "2016-05-01T00:00:00Z", to: "2026-05-08T00:00:00Z" }';

    expect(await cost('{ listeningSummary(timeZone: "Asia/Tokyo") { plays } }')).toBeGreaterThan(3 * (await cost('{ listeningSummary { plays } }')));
    expect(await cost('{ listeningClock(timeZone: "Asia/Tokyo") { plays } }')).toBeGreaterThan(await cost('{ listeningClock { plays } }'));
    expect(await cost(`{ listeningSummary(range: ${decade}) { plays } }`)).toBeGreaterThan(5 * (await cost(`{ listeningSummary(range: ${week}) { plays } }`)));
    expect(await cost(`{ topTracks(range: ${decade}, first: 5) { totalCount } }`)).toBeGreaterThan(await cost(`{ topTracks(range: ${week}, first: 5) { totalCount } }`));
    expect(await cost('{ topTracks(first: 200) { edges { node { rank plays } } } }')).toBeGreaterThan(20 * 2 + (await cost('{ topTracks(first: 5) { edges { node { rank plays } } } }')));
    expect(await cost(`{ listeningActivity(range: ${decade}, bucket: DAY) { plays } }`)).toBeGreaterThan(10 * (await cost(`{ listeningActivity(range: ${decade}, bucket: YEAR) { plays } }`)));
    expect(await cost(`{ listeningActivity(range: ${decade}, bucket: MONTH, timeZone: "Asia/Tokyo") { plays } }`)).toBeGreaterThan(await cost(`{ listeningActivity(range: ${decade}, bucket: MONTH) { plays } }`));
    // A year in review runs eight statements over its year.
    expect(await cost('{ yearInReview(year: 2026) { year } }')).toBeGreaterThan(5 * (await cost('{ listeningSummary(range: { from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z" }) { plays } }')));
  });
});

describe('one listeningActivity answers at most 2,000 buckets', () => {
  it('refuses 27 years by DAY with BAD_USER_INPUT naming the argument and the maximum, and answers them by MONTH', async () => {
    const daily = await send(prober, `{ listeningActivity(bucket: DAY, range: ${TWENTY_SEVEN_YEARS}) { start plays } }`);
    expect(codes(daily.body)).toEqual(['BAD_USER_INPUT']);
    expect(daily.body.errors![0]!.extensions!.argument).toBe('bucket');
    expect(daily.body.errors![0]!.message).toMatch(/at most 2,000 buckets/);
    expect(daily.body.errors![0]!.message).toMatch(/WEEK, MONTH or YEAR/);

    const monthly = await send(prober, `{ listeningActivity(bucket: MONTH, range: ${TWENTY_SEVEN_YEARS}) { start plays } }`);
    expect(monthly.body.errors).toBeUndefined();
    const points = monthly.body.data!.listeningActivity as Array<{ start: string; plays: number }>;
    expect(points).toHaveLength(27 * 12);
    expect(points.reduce((sum, point) => sum + point.plays, 0)).toBe(2);
  });

  it('runs an open range from the listener’s first play to now, never from the earliest date a range may name', async () => {
    const { body } = await send(listener, '{ listeningActivity(bucket: DAY, range: {}) { start plays } }');
    expect(body.errors).toBeUndefined();
    const points = body.data!.listeningActivity as Array<{ start: string; plays: number }>;
    expect(points.length).toBeGreaterThan(690);
    expect(points.length).toBeLessThan(705);
    expect(points[0]!.plays).toBe(1);
    // The prober's history spans 27 years: by DAY it is more than one answer holds, by WEEK it is not.
    expect(codes((await send(prober, '{ listeningActivity(bucket: DAY, range: {}) { plays } }')).body)).toEqual(['BAD_USER_INPUT']);
    expect((await send(prober, '{ listeningActivity(bucket: WEEK, range: {}) { plays } }')).body.errors).toBeUndefined();
  });
});

describe('dates statistics cannot count are BAD_USER_INPUT, never INTERNAL_SERVER_ERROR', () => {
  it('refuses year 1, year 9999 and dates just outside 1900 to 2200 wherever a statistics query takes a range or a year', async () => {
    const refused = [
      '{ listeningActivity(bucket: YEAR, range: { from: "0001-01-01T00:00:00Z" }) { start } }',
      '{ listeningActivity(bucket: YEAR, range: { from: "2000-01-01T00:00:00Z", to: "9999-12-31T23:59:59Z" }) { start } }',
      '{ listeningActivity(bucket: YEAR, range: { from: "1899-12-31T23:59:59.999Z" }, timeZone: "Asia/Kolkata") { start } }',
      '{ listeningSummary(range: { from: "0001-01-01T00:00:00Z" }) { plays longestStreak { from } } }',
      '{ listeningClock(range: { to: "2200-01-01T00:00:00.001Z" }) { plays } }',
      '{ topTracks(range: { from: "0001-01-01T00:00:00Z" }) { totalCount } }',
      '{ yearInReview(year: 1) { year } }',
      '{ yearInReview(year: 1899) { year } }',
      '{ yearInReview(year: 2200) { year } }',
      '{ yearInReview(year: 9998, timeZone: "Pacific/Kiritimati") { year } }',
    ];
    for (const query of refused) {
      const { body } = await send(prober, query);
      expect(codes(body), query).toEqual(['BAD_USER_INPUT']);
      expect(body.errors![0]!.message, query).toMatch(/1900|2200|2199/);
    }
  });

  it('counts at the edges of that span in zones far from UTC', async () => {
    for (const timeZone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Kolkata', 'Europe/Amsterdam']) {
      const edges = await send(prober, `{ a: listeningActivity(bucket: YEAR, range: { from: "1900-01-01T00:00:00Z", to: "1905-01-01T00:00:00Z" }, timeZone: "${timeZone}") { start }
        b: listeningActivity(bucket: MONTH, range: { from: "2195-01-01T00:00:00Z", to: "2200-01-01T00:00:00Z" }, timeZone: "${timeZone}") { start }
        c: listeningSummary(range: { from: "1900-01-01T00:00:00Z", to: "2200-01-01T00:00:00Z" }, timeZone: "${timeZone}") { plays } }`);
      expect(edges.body.errors, timeZone).toBeUndefined();
      expect((edges.body.data!.c as { plays: number }).plays).toBe(3);
      for (const year of [1900, 2199]) {
        const review = await send(prober, `{ yearInReview(year: ${year}, timeZone: "${timeZone}") { year summary { plays } months { start } } }`);
        expect(review.body.errors, `${year} ${timeZone}`).toBeUndefined();
      }
    }
  });
});

describe('the web app’s own operations stay within every limit', () => {
  const webDocuments = () => {
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.graphql') ? [join(dir, entry.name)] : []));
    const definitions: DefinitionNode[] = files('services/web/src').flatMap((file) => parse(readFileSync(file, 'utf8')).definitions);
    const fragments = new Map(definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
    const operations = definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    // Each operation with the fragments it uses, as the generated documents send it.
    return operations.map((operation) => {
      const used = new Set<string>();
      const visit = (text: string) => {
        for (const [, name] of text.matchAll(/\.\.\.\s*([A-Za-z_]\w*)/g)) {
          if (name === 'on' || used.has(name!) || !fragments.has(name!)) continue;
          used.add(name!);
          visit(print(fragments.get(name!)!));
        }
      };
      visit(print(operation));
      return { operation, query: [print(operation), ...[...used].map((name) => print(fragments.get(name)!))].join('\n') };
    });
  };

  // Every value a variable can take that changes the cost: the web app's own ranges, long ones and open ones, every bucket and order.
  const schema = buildApiSchema();
  const statsRanges = [
    ...PRESETS.map((preset) => rangeOf(preset.id, 'Pacific/Kiritimati', { from: '2005-01-01', to: '2026-12-31' })),
    ...PRESETS.map((preset) => rangeOf(preset.id, 'UTC', { from: '2024-02-29', to: '' })),
    { from: '1900-01-01T00:00:00Z', to: '2200-01-01T00:00:00Z' },
  ];
  const candidates = (type: TypeNode): unknown[] => {
    if (type.kind === Kind.NON_NULL_TYPE) return candidates(type.type);
    if (type.kind === Kind.LIST_TYPE) return [Array.from({ length: 100 }, (_, i) => `id${i}`)];
    const name = type.name.value;
    if (name === 'Int') return [200, 2026];
    if (name === 'StatsRange') return statsRanges;
    if (name === 'DateTime') return ['2026-01-01T00:00:00Z'];
    const named = schema.getType(name);
    if (isEnumType(named)) return named.getValues().map((value) => value.name);
    return ['x'];
  };
  const assignments = (operation: OperationDefinitionNode): Array<Record<string, unknown>> =>
    (operation.variableDefinitions ?? []).reduce<Array<Record<string, unknown>>>(
      (all, definition) => all.flatMap((assigned) => candidates(definition.type).map((value) => ({ ...assigned, [definition.variable.name.value]: value }))),
      [{}],
    );

  it('finds the operations the web app sends', () => {
    const names = webDocuments().map(({ operation }) => operation.name?.value);
    expect(names).toEqual(expect.arrayContaining(['StatsSummary', 'StatsTop', 'YearInReview', 'YearsWithPlays', 'History', 'Me']));
  });

  it('passes every limit with any value of its variables (signed out: planned, never run)', async () => {
    for (const { operation, query } of webDocuments()) {
      for (const variables of assignments(operation)) {
        const { body } = await send(null, query, variables);
        const refused = codes(body).filter((code) => code === 'QUERY_TOO_COMPLEX' || code === 'GRAPHQL_VALIDATION_FAILED');
        expect(refused, `${operation.name?.value} ${JSON.stringify(variables)}: ${body.errors?.[0]?.message}`).toEqual([]);
      }
    }
  }, 120_000);

  it('answers the statistics pages for a listener: every preset range with every bucket, the rankings and each year', async () => {
    const documents = new Map(webDocuments().map(({ operation, query }) => [operation.name!.value, query]));
    for (const preset of PRESETS) {
      const range = rangeOf(preset.id, 'UTC', { from: new Date(NOW - 600 * DAY_MS).toISOString().slice(0, 10), to: new Date(NOW).toISOString().slice(0, 10) });
      for (const bucket of ['DAY', 'WEEK', 'MONTH', 'YEAR']) {
        const summary = await send(listener, documents.get('StatsSummary')!, { range, bucket });
        expect(summary.body.errors, `${preset.id} ${bucket}`).toBeUndefined();
      }
      for (const orderBy of ['PLAYS', 'TIME']) {
        const top = await send(listener, documents.get('StatsTop')!, { range, orderBy });
        expect(top.body.errors, `${preset.id} ${orderBy}`).toBeUndefined();
      }
    }
    expect((await send(listener, documents.get('YearsWithPlays')!)).body.errors).toBeUndefined();
    for (const year of [new Date(NOW).getUTCFullYear() - 1, new Date(NOW).getUTCFullYear()]) {
      const review = await send(listener, documents.get('YearInReview')!, { year });
      expect(review.body.errors, String(year)).toBeUndefined();
    }
  });
});
