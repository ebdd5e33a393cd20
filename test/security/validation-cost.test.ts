import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { fieldCountExcess } from '../../services/api/graphql/field-count-limit.js';
import { postGraphql, startApiHarness, type ApiHarness } from '../../test/api/api-harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ label: 'validation_cost' });
});
afterAll(async () => {
  await h?.stop();
});

const codes = (body: { errors?: Array<{ extensions?: { code?: string } }> }) => (body.errors ?? []).map((e) => e.extensions?.code);
const times = (n: number, text: string) => Array.from({ length: n }, () => text).join(' ');

describe('operations whose validation alone would be costly are refused before validation, without logging in', () => {
  it('refuses a few hundred copies of one field with QUERY_TOO_COMPLEX alone: validation, which would also report the unknown field, never ran', async () => {
    const response = await postGraphql(h.graphqlUrl, { query: `{ ${times(420, 'me { id }')} noSuchField }` });
    expect(response.status).toBe(400);
    expect(codes(response.body)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(response.body.errors[0].message).toMatch(/more than 500 fields/);
  });

  it('refuses copies that multiply level by level, though each selection repeats a field only a few times', async () => {
    // 16 connections, each asking for its edges twice, each asking for the cursor 8 times: validation
    // compares all 32 `edges` with one another, and their cursors pair by pair.
    const response = await postGraphql(h.graphqlUrl, { query: `{ ${times(16, `listeningHistory { ${times(2, `edges { ${times(8, 'cursor')} }`)} }`)} noSuchField }` });
    expect(response.status).toBe(400);
    expect(codes(response.body)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(response.body.errors[0].message).toMatch(/"edges" more than 16 times/);
  });

  it('still validates and answers documents within the limits', async () => {
    const repeated = await postGraphql(h.graphqlUrl, { query: `{ ${times(16, '__typename')} }` });
    expect(repeated.status).toBe(200);
    expect(repeated.body).toEqual({ data: { __typename: 'Query' } });
    const unknown = await postGraphql(h.graphqlUrl, { query: '{ noSuchField }' });
    expect(codes(unknown.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('answers a fragment spread within itself as invalid', async () => {
    const response = await postGraphql(h.graphqlUrl, { query: '{ me { ...A } } fragment A on User { id ...B } fragment B on User { ...A }' });
    expect(response.status).toBe(400);
    expect(codes(response.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.body.errors[0].message).toMatch(/Cannot spread fragment "A" within itself/);
  });
});

describe('counting fields as validation would merge them', () => {
  const limits = { maxFields: 500, maxSameName: 16 };
  const excess = (query: string) => fieldCountExcess(parse(query), limits);

  it('counts a fragment each time it is spread, without expanding a fragment bomb', () => {
    const levels = 40;
    const fragments = Array.from({ length: levels }, (_, i) => (i === levels - 1 ? `fragment F${i} on User { id }` : `fragment F${i} on User { ...F${i + 1} a${i}: displayName ...F${i + 1} }`)).join(' ');
    expect(excess(`{ me { ...F0 } } ${fragments}`)).toMatchObject({ limit: 'fields' });
  });

  it('merges fields brought by fragments and inline fragments into the selection they are spread in', () => {
    const query = `{ me { ...A ...B ... on User { ${times(6, 'id')} } } } fragment A on User { ${times(6, 'id')} } fragment B on User { ${times(5, 'id')} }`;
    expect(excess(query)).toEqual({ limit: 'sameName', name: 'id', count: 17 });
    expect(excess(query.replace(/fragment B on User \{[^}]*\}/, 'fragment B on User { id }'))).toBeNull();
  });

  it('counts by response name: aliases are other fields, and an alias can repeat a field too', () => {
    expect(excess(`{ me { ${Array.from({ length: 40 }, (_, i) => `a${i}: id`).join(' ')} } }`)).toBeNull();
    expect(excess(`{ me { ${times(17, 'x: id')} } }`)).toEqual({ limit: 'sameName', name: 'x', count: 17 });
  });

  it('counts fragments no operation spreads', () => {
    expect(excess(`{ me { id } } fragment Unused on User { ${Array.from({ length: 500 }, (_, i) => `a${i}: id`).join(' ')} }`)).toMatchObject({ limit: 'fields' });
  });
});

describe('deeply nested variables are a bad request, not a crash', () => {
  const deep = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

  it('refuses variables nested thousands deep in a POST body with 400 BAD_REQUEST', async () => {
    const body = `{"query":"query ($skip: Boolean!) { __typename @skip(if: $skip) }","variables":{"skip":false,"ids":${deep(5_000)}}}`;
    const response = await postGraphql(h.graphqlUrl, body);
    expect(response.status).toBe(400);
    expect(codes(response.body)).toEqual(['BAD_REQUEST']);
    expect(response.body.errors[0].message).toMatch(/variables are nested deeper than 32 levels/);
  });

  it('refuses them in a GET query string, and deep extensions too', async () => {
    const query = encodeURIComponent('query ($skip: Boolean!) { __typename @skip(if: $skip) }');
    const headers = { accept: 'application/json', 'apollo-require-preflight': 'true' };
    // Brackets unescaped, to fit the URL within Node's header size limit.
    const viaGet = await fetch(`${h.graphqlUrl}?query=${query}&variables={"skip":false,"x":${deep(2_000)}}`, { headers });
    expect(viaGet.status).toBe(400);
    expect(codes((await viaGet.json()) as { errors: [] })).toEqual(['BAD_REQUEST']);
    const extensions = await postGraphql(h.graphqlUrl, `{"query":"{ __typename }","extensions":{"x":${deep(5_000)}}}`);
    expect(extensions.status).toBe(400);
    expect(codes(extensions.body)).toEqual(['BAD_REQUEST']);
  });

  it('still reads ordinary nested variables', async () => {
    // Variables the operation does not declare are read (and ignored) too.
    const response = await postGraphql(h.graphqlUrl, { query: 'query ($skip: Boolean!) { __typename @skip(if: $skip) }', variables: { skip: false, extra: { a: [1, [2, { b: [3] }]] } } });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ __typename: 'Query' });
  });
});
