import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningApi } from '../../services/api/start-api-server.js';
import { postGraphql, startApiHarness, type ApiHarness, type LoggedIn } from './api-harness.js';

let h: ApiHarness;
let user: LoggedIn;
let production: RunningApi;
beforeAll(async () => {
  h = await startApiHarness({ label: 'api_abuse' });
  user = await h.login(h.emulator.users()[0]!.id);
  production = await h.startAnotherApi({ NODE_ENV: 'production' });
});
afterAll(async () => {
  await h?.stop();
});

const codes = (body: { errors?: Array<{ extensions?: { code?: string } }> }) => (body.errors ?? []).map((e) => e.extensions?.code);
const FULL_PAGE = 'edges { cursor node { playedAt msPlayed source context { type uri } track { id name durationMs uri album { id name } artists { id name } } } } pageInfo { hasNextPage endCursor }';

async function raw(path: string, init: RequestInit, base = h.api.url) {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  let body: { errors?: Array<{ message: string; extensions?: { code?: string } }> } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body, text };
}

describe('malformed HTTP requests get a 4xx with a stable code', () => {
  it.each([
    ['a body over the size limit', { 'content-type': 'application/json' }, JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(200_000)}` }), 413, 'PAYLOAD_TOO_LARGE'],
    ['invalid JSON', { 'content-type': 'application/json' }, '{"query": "{ me { id } }"', 400, 'BAD_REQUEST'],
    ['a text/plain body', { 'content-type': 'text/plain' }, '{ me { id } }', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a form body', { 'content-type': 'application/x-www-form-urlencoded' }, 'query=%7Bme%7D', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a non-UTF-8 charset', { 'content-type': 'application/json; charset=latin1' }, '{}', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a batch of operations', { 'content-type': 'application/json' }, JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]), 400, 'BAD_REQUEST'],
    ['a JSON body with no query', { 'content-type': 'application/json' }, '{}', 400, 'BAD_REQUEST'],
    ['a query that is not a string', { 'content-type': 'application/json' }, '{"query": 42}', 400, 'BAD_REQUEST'],
    ['variables that are not an object', { 'content-type': 'application/json' }, '{"query": "{ me { id } }", "variables": [1]}', 400, 'BAD_REQUEST'],
  ])('refuses %s', async (_name, headers, body, status, code) => {
    const response = await raw('/graphql', { method: 'POST', headers, body });
    expect(response.status).toBe(status);
    if (code === 'BAD_REQUEST' && response.body.errors === undefined) {
      // Apollo answers some malformed HTTP requests in plain text; still a 400 and no stack.
      expect(response.text.length).toBeGreaterThan(0);
    } else {
      expect(codes(response.body)).toEqual([code]);
    }
    expect(response.text).not.toMatch(/\s+at .+:\d+:\d+/);
  });

  it('blocks simple (CSRF-able) GET requests and serves GET queries that carry a preflight header', async () => {
    const query = encodeURIComponent('{ __typename }');
    const blocked = await raw(`/graphql?query=${query}`, { headers: { accept: 'application/json' } });
    expect(blocked.status).toBe(400);
    const allowed = await raw(`/graphql?query=${query}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(allowed.status).toBe(200);
    const mutation = await raw(`/graphql?query=${encodeURIComponent('mutation { logout { revokedAt } }')}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(mutation.status).toBe(405);
  });

  it('answers unknown paths with 404 NOT_FOUND', async () => {
    const response = await raw('/nope', {});
    expect([response.status, codes(response.body)]).toEqual([404, ['NOT_FOUND']]);
  });
});

describe('abusive operations are refused with QUERY_TOO_COMPLEX or a validation error', () => {
  it('refuses more aliases than GRAPHQL_MAX_ALIASES', async () => {
    const query = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    const response = await postGraphql(h.graphqlUrl, { query }, { authorization: `Bearer ${user.token}` });
    expect(response.status).toBe(400);
    expect(codes(response.body)).toContain('QUERY_TOO_COMPLEX');
  });

  it('refuses more directives than GRAPHQL_MAX_DIRECTIVES', async () => {
    // Spread over four fields, so that no field is repeated past GRAPHQL_MAX_SAME_FIELD.
    const fields = ['id', 'displayName', 'status', 'createdAt'];
    const query = `{ me { ${Array.from({ length: 51 }, (_, i) => `... @include(if: true) { ${fields[i % fields.length]} }`).join(' ')} } }`;
    const response = await postGraphql(h.graphqlUrl, { query }, { authorization: `Bearer ${user.token}` });
    expect(response.status).toBe(400);
    expect(codes(response.body)).toEqual(['QUERY_TOO_COMPLEX']);
    const fine = await postGraphql(h.graphqlUrl, { query: '{ me { id @include(if: true) } }' }, { authorization: `Bearer ${user.token}` });
    expect(fine.body.errors).toBeUndefined();
  });

  it('refuses operations costing more than GRAPHQL_MAX_COST, and serves a full page of 200', async () => {
    const many = `{ ${Array.from({ length: 5 }, (_, i) => `p${i}: listeningHistory(first: 200) { ${FULL_PAGE} }`).join(' ')} }`;
    const refused = await postGraphql(h.graphqlUrl, { query: many }, { authorization: `Bearer ${user.token}` });
    expect(refused.status).toBe(400);
    expect(codes(refused.body)).toEqual(['QUERY_TOO_COMPLEX']);

    // The cost follows variables too.
    const byVariable = await postGraphql(
      h.graphqlUrl,
      { query: `query ($n: Int) { ${Array.from({ length: 5 }, (_, i) => `p${i}: listeningHistory(first: $n) { ${FULL_PAGE} }`).join(' ')} }`, variables: { n: 200 } },
      { authorization: `Bearer ${user.token}` },
    );
    expect(codes(byVariable.body)).toEqual(['QUERY_TOO_COMPLEX']);
    // A first request with variables of the wrong type is not priced; the same document with fitting
    // (or default) variables still is.
    const wrongType = await postGraphql(
      h.graphqlUrl,
      { query: `query ($n: Int) { ${Array.from({ length: 20 }, (_, i) => `p${i}: listeningHistory(first: $n) { ${FULL_PAGE} }`).join(' ')} }`, variables: { n: 'x' } },
      { authorization: `Bearer ${user.token}` },
    );
    expect(codes(wrongType.body)).toEqual(['BAD_USER_INPUT']);
    const byDefault = await postGraphql(
      h.graphqlUrl,
      { query: `query ($n: Int) { ${Array.from({ length: 20 }, (_, i) => `p${i}: listeningHistory(first: $n) { ${FULL_PAGE} }`).join(' ')} }` },
      { authorization: `Bearer ${user.token}` },
    );
    expect(codes(byDefault.body)).toEqual(['QUERY_TOO_COMPLEX']);

    const one = await postGraphql(h.graphqlUrl, { query: `{ listeningHistory(first: 200) { ${FULL_PAGE} } }` }, { authorization: `Bearer ${user.token}` });
    expect(one.status).toBe(200);
    expect(one.body.errors).toBeUndefined();
  });

  it('refuses operations deeper than GRAPHQL_MAX_DEPTH, fragments included', async () => {
    const shallow = await h.startAnotherApi({ GRAPHQL_MAX_DEPTH: '4' });
    const deep = '{ listeningHistory { edges { node { track { album { name } } } } } }';
    const viaFragment = 'query { listeningHistory { ...E } } fragment E on PlayConnection { edges { node { track { id } } } }';
    for (const query of [deep, viaFragment]) {
      const response = await postGraphql(`${shallow.url}/graphql`, { query }, { authorization: `Bearer ${user.token}` });
      expect(response.status, query).toBe(400);
      expect(codes(response.body)).toEqual(['QUERY_TOO_COMPLEX']);
    }
    const ok = await postGraphql(`${shallow.url}/graphql`, { query: '{ listeningHistory { edges { cursor } } }' }, { authorization: `Bearer ${user.token}` });
    expect(ok.body.errors).toBeUndefined();
  });

  it('refuses fragment bombs and huge documents without working hard', async () => {
    const levels = 25;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1 ? `fragment F${i} on User { id }` : `fragment F${i} on User { ...F${i + 1} a${i}: displayName ...F${i + 1} }`,
    ).join(' ');
    const started = Date.now();
    const bomb = await postGraphql(h.graphqlUrl, { query: `{ me { ...F0 } } ${fragments}` }, { authorization: `Bearer ${user.token}` });
    expect(bomb.status).toBe(400);
    expect(Date.now() - started).toBeLessThan(2_000);

    const huge = await postGraphql(h.graphqlUrl, { query: `{ ${'me { id } '.repeat(2_000)} }` });
    expect(huge.status).toBe(400);
    expect(codes(huge.body)).toEqual(['GRAPHQL_PARSE_FAILED']);
  });

  it('turns introspection and field suggestions off in production, and on in development', async () => {
    const introspection = '{ __schema { queryType { name } } }';
    const dev = await postGraphql(h.graphqlUrl, { query: introspection });
    expect(dev.body.data.__schema.queryType.name).toBe('Query');
    const prod = await postGraphql(`${production.url}/graphql`, { query: introspection });
    expect(codes(prod.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);

    const typo = await postGraphql(`${production.url}/graphql`, { query: '{ mee { id } }' });
    expect(codes(typo.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(typo.text).not.toMatch(/Did you mean/);
  });

  it('serves no landing page in production', async () => {
    const response = await fetch(`${production.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(400);
    expect(await response.text()).not.toMatch(/<html/i);
  });
});

describe('rate limiting', () => {
  it('answers 429 with Retry-After past RATE_LIMIT_AUTH requests per window to /auth', async () => {
    const limited = await h.startAnotherApi({ RATE_LIMIT_AUTH: '2', RATE_LIMIT_WINDOW_SECONDS: '60', QUEUE_PREFIX: `${h.config.QUEUE_PREFIX}-auth` });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 3; i++) {
      last = await fetch(`${limited.url}/auth/login`, { redirect: 'manual', headers: { accept: 'application/json' } });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([302, 302, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('ratelimit-limit')).toBe('2');
    expect(last!.headers.get('ratelimit-remaining')).toBe('0');
    expect(last!.headers.get('ratelimit-reset')).toBe(last!.headers.get('retry-after'));
    const body = (await last!.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('RATE_LIMITED');
    // The counters live under QUEUE_PREFIX, by scope and client, and expire with their window.
    const counters = await h.redis.keys(`${h.config.QUEUE_PREFIX}-auth:api:ratelimit:auth:ip:*`);
    expect(counters).toHaveLength(1);
    expect(await h.redis.ttl(counters[0]!)).toBeGreaterThan(0);
  });

  it('lets no burst through where the clock turns a window, and lets the client in again after Retry-After', async () => {
    const windowMs = 3_000;
    const limited = await h.startAnotherApi({ RATE_LIMIT_AUTH: '2', RATE_LIMIT_WINDOW_SECONDS: String(windowMs / 1000), QUEUE_PREFIX: `${h.config.QUEUE_PREFIX}-slide` });
    const login = () => fetch(`${limited.url}/auth/login`, { redirect: 'manual', headers: { accept: 'application/json' } });
    // A client's window starts with its first request, not at a multiple of the window length (where a
    // limiter with clock-aligned windows would start counting afresh): use up the limit just before such
    // a multiple, then ask again just after it.
    const untilOffset = (offsetMs: number) => (offsetMs - (Date.now() % windowMs) + windowMs) % windowMs;
    await sleep(untilOffset(2_500));
    const before = [(await login()).status, (await login()).status];
    await sleep(untilOffset(20));
    const after = await login();
    expect([...before, after.status]).toEqual([302, 302, 429]);
    const retryAfter = Number(after.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(windowMs / 1000);
    await sleep(retryAfter * 1000);
    expect((await login()).status).toBe(302);
  });

  it('counts /graphql per client IP, and a valid session on its own', async () => {
    // Counters of their own (another prefix), and a session that has made no request yet.
    const limited = await h.startAnotherApi({ RATE_LIMIT_GRAPHQL: '3', RATE_LIMIT_WINDOW_SECONDS: '60', QUEUE_PREFIX: `${h.config.QUEUE_PREFIX}-gql` });
    const fresh = await h.login(h.emulator.users()[1]!.id);
    const url = `${limited.url}/graphql`;
    const anonymous = [];
    for (let i = 0; i < 4; i++) anonymous.push((await postGraphql(url, { query: '{ __typename }' })).status);
    expect(anonymous).toEqual([200, 200, 200, 429]);
    // Made-up tokens do not open a new bucket: they count against the IP.
    expect((await postGraphql(url, { query: '{ __typename }' }, { authorization: `Bearer ${'B'.repeat(43)}` })).status).toBe(429);

    const session = [];
    for (let i = 0; i < 4; i++) session.push((await postGraphql(url, { query: '{ me { id } }' }, { authorization: `Bearer ${fresh.token}` })).status);
    expect(session).toEqual([200, 200, 200, 429]);
  });
});

describe('a corpus of bad requests', () => {
  it('never answers 500 or shows a stack trace, and keeps serving', async () => {
    const auth = { authorization: `Bearer ${user.token}` };
    const corpus: Array<{ body: unknown; headers?: Record<string, string> }> = [
      { body: { query: '{ listeningHistory(first: "x") { edges { cursor } } }' } },
      { body: { query: '{ listeningHistory(first: 1e100) { edges { cursor } } }' } },
      { body: { query: 'query ($f: Int) { listeningHistory(first: $f) { edges { cursor } } }', variables: { f: 1e100 } } },
      { body: { query: 'query ($f: Int) { listeningHistory(first: $f) { edges { cursor } } }', variables: { f: -1 } }, headers: auth },
      { body: { query: 'query ($a: String) { listeningHistory(after: $a) { edges { cursor } } }', variables: { a: '\u0000\uffff' } }, headers: auth },
      { body: { query: 'query ($a: String) { listeningHistory(after: $a) { edges { cursor } } }', variables: { a: { nested: true } } }, headers: auth },
      { body: { query: 'query ($d: DateTime) { listeningHistory(from: $d) { edges { cursor } } }', variables: { d: '+275760-09-13T00:00:00Z' } }, headers: auth },
      { body: { query: 'query ($d: DateTime) { listeningHistory(from: $d) { edges { cursor } } }', variables: { d: '0001-01-01T00:00:00Z' } }, headers: auth },
      { body: { query: 'query ($d: DateTime) { listeningHistory(to: $d) { edges { cursor } } }', variables: { d: '9999-12-31T23:59:59.999Z' } }, headers: auth },
      { body: { query: 'mutation ($s: String!) { completeSpotifyLogin(state: $s, code: $s) { token } }', variables: { s: 'é'.repeat(40_000) } } },
      { body: { query: 'mutation { completeSpotifyLogin(state: "", code: "") { token } }' } },
      { body: { query: 'mutation { completeSpotifyLogin(state: null) { token } }' } },
      { body: { query: '{ me { id } }', operationName: 'Nope' } },
      { body: { query: 'query A { me { id } } query B { me { id } }' } },
      { body: { query: 'subscription { me { id } }' } },
      { body: { query: '{ me { id } ', variables: null } },
      { body: { query: '{ me @skip(if: "yes") { id } }' } },
      { body: { query: '{ me { ...on Play { playedAt } } }' } },
      { body: { query: '{ listeningHistory { edges { node { track { album { album { id } } } } } } }' } },
      { body: { extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } } },
    ];
    for (const { body, headers } of corpus) {
      const response = await postGraphql(h.graphqlUrl, body, headers);
      const label = JSON.stringify(body).slice(0, 120);
      expect(response.status, label).toBeLessThan(500);
      expect(response.text, label).not.toMatch(/\s+at .+:\d+:\d+|stacktrace/);
      if (response.body?.errors) {
        for (const error of response.body.errors) expect(error.extensions?.code, label).not.toBe('INTERNAL_SERVER_ERROR');
      }
    }
    expect((await fetch(`${h.api.url}/healthz`)).status).toBe(200);
  });
});
