import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Spelled from the root: the lint rule keeping services apart matches `../api/*` and means services/api.
import { startApiHarness, type ApiHarness, type LoggedIn } from '../../test/api/api-harness.js';

/**
 * Generated bad requests (test/api/abuse.test.ts holds the hand-written ones): documents cut, spliced and
 * garbled; variables of every wrong type and size; forged cursors; bodies that are not JSON or not
 * objects; content types GraphQL does not speak. Each gets a 4xx or a GraphQL error with a stable code,
 * never a 500, never a stack trace, and the API keeps answering.
 */
let h: ApiHarness;
let user: LoggedIn;

beforeAll(async () => {
  // Production: errors are masked there, so a leak in this mode is one users would see.
  h = await startApiHarness({ label: 'graphql_fuzz', env: { NODE_ENV: 'production', RATE_LIMIT_GRAPHQL: '0', SESSION_COOKIE_SECURE: 'false' } });
  user = await h.login(h.emulator.users()[0]!.id);
});
afterAll(async () => {
  await h?.stop();
});

const STABLE_CODES = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'QUERY_TOO_COMPLEX',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_FOUND',
  'LOGIN_STATE_INVALID',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
  'RATE_LIMITED',
]);

const VALID = [
  '{ me { id displayName } }',
  'query H($first: Int, $after: String, $from: DateTime, $to: DateTime) { listeningHistory(first: $first, after: $after, from: $from, to: $to) { edges { cursor node { playedAt track { id name album { name } artists { name } } } } pageInfo { hasNextPage endCursor } } }',
  'mutation { requestSync }',
  'mutation S($code: String, $state: String!) { completeSpotifyLogin(code: $code, state: $state) { token } }',
  'mutation { startSpotifyLogin { authorizationUrl state } }',
];

/** Anything JSON can carry, including the sizes and shapes nobody expects. */
const wild = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, 0, 201, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, 1e308, '', '\u0000', '9'.repeat(400), 'x'.repeat(20_000)),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.base64String({ maxLength: 120 }),
  fc.json().map((j) => Buffer.from(j).toString('base64url')),
  fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString())),
);

const document = fc.oneof(
  fc.constantFrom(...VALID),
  // cut short, spliced, sprinkled with GraphQL punctuation
  fc.tuple(fc.constantFrom(...VALID), fc.nat(), fc.nat()).map(([q, a, b]) => q.slice(Math.min(a, b) % q.length, Math.max(a, b) % (q.length + 1))),
  fc.tuple(fc.constantFrom(...VALID), fc.nat(), fc.string({ unit: fc.constantFrom(...'{}()[]$@!:,."\\ \n#...'), maxLength: 12 })).map(([q, at, junk]) => q.slice(0, at % q.length) + junk + q.slice(at % q.length)),
  fc.string({ maxLength: 400 }),
  // deep, wide and aliased
  fc.integer({ min: 1, max: 60 }).map((n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`),
  fc.integer({ min: 1, max: 40 }).map((n) => `{ listeningHistory { edges { node { track { ${'album { artists { '.repeat(n)}name${' } }'.repeat(n)} } } } } }`),
  fc.integer({ min: 1, max: 30 }).map((n) => `query { ${Array.from({ length: n }, (_, i) => `h${i}: listeningHistory(first: 200) { edges { node { track { name artists { name } } } } }`).join(' ')} }`),
);

// Mostly well-formed envelopes with wrong values inside, so most requests reach validation and resolvers.
const variables = fc.oneof(
  { arbitrary: fc.record({ first: wild, after: wild, from: wild, to: wild, code: wild, state: wild }, { requiredKeys: [] }), weight: 6 },
  { arbitrary: fc.constant(undefined), weight: 1 },
  { arbitrary: wild, weight: 1 },
);

const request = fc.record({
  query: fc.oneof({ arbitrary: document, weight: 6 }, { arbitrary: wild, weight: 1 }),
  variables,
  operationName: fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: fc.constantFrom('H', 'S', 'Nope', ''), weight: 1 }, { arbitrary: wild, weight: 1 }),
  auth: fc.constantFrom('none', 'user', 'forged', 'garbled'),
});

const rawBody = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"query":', '[]', '[{"query":"{ me { id } }"},{"query":"{ me { id } }"}]', 'null', '0', '"query"', '{"query": null}', '{"query": {"a":1}}'),
  fc.json({ maxDepth: 4 }),
);
const contentType = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/graphql', 'application/json; charset=latin1', '', 'application/xml');

function authHeader(kind: string): Record<string, string> {
  if (kind === 'user') return { authorization: `Bearer ${user.token}` };
  if (kind === 'forged') return { authorization: `Bearer ${'A'.repeat(43)}` };
  if (kind === 'garbled') return { authorization: 'Bearer \u00ff\u00fe' };
  return {};
}

async function expectClearAnswer(response: Response, label: string): Promise<void> {
  const text = await response.text();
  expect(response.status, label).toBeLessThan(500);
  expect(text, label).not.toMatch(/\s+at .+:\d+:\d+|stacktrace|node_modules/);
  if (response.status === 200 || response.status === 400) {
    let body: { errors?: Array<{ extensions?: { code?: string } }> } | undefined;
    try {
      body = JSON.parse(text);
    } catch {
      // a 400 from the HTTP layer may be plain text; it is still a clear 4xx
    }
    for (const error of body?.errors ?? []) expect(STABLE_CODES, `${label}: ${text.slice(0, 300)}`).toContain(error.extensions?.code);
  }
}

describe('generated bad GraphQL requests', () => {
  it('get a 4xx or a GraphQL error with a stable code: never a 500, never a stack trace', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ query, variables: vars, operationName, auth }) => {
        const body = JSON.stringify({ query, variables: vars, operationName });
        const response = await fetch(h.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'apollo-require-preflight': '1', ...authHeader(auth) }, body });
        await expectClearAnswer(response, body.slice(0, 200));
      }),
      { numRuns: 400 },
    );
  });

  it('answer bodies that are not GraphQL requests, in any content type, clearly', async () => {
    await fc.assert(
      fc.asyncProperty(rawBody, contentType, async (body, type) => {
        const response = await fetch(h.graphqlUrl, { method: 'POST', headers: { ...(type ? { 'content-type': type } : {}), 'apollo-require-preflight': '1' }, body });
        await expectClearAnswer(response, `${type}: ${body.slice(0, 200)}`);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps serving afterwards', async () => {
    const response = await fetch(h.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(await response.json()).toEqual({ data: { me: { id: user.globalUserId } } });
    expect((await fetch(`${h.api.url}/readyz`)).status).toBe(200);
  });
});
