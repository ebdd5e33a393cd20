import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capEchoedValues } from '../../services/api/graphql/echo-cap.js';
import { postGraphql, startApiHarness, type ApiHarness } from '../../test/api/api-harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ label: 'error_echo' });
});
afterAll(async () => {
  await h?.stop();
});

const HUGE = 'x'.repeat(80_000);
const codes = (body: { errors?: Array<{ extensions?: { code?: string } }> }) => (body.errors ?? []).map((e) => e.extensions?.code);

describe('errors about a client’s bad value', () => {
  it.each([
    ['a date variable', { query: 'query ($from: DateTime) { listeningHistory(from: $from) { edges { cursor } } }', variables: { from: HUGE } }, 'BAD_USER_INPUT'],
    ['a date literal', { query: `{ listeningHistory(from: "${HUGE}") { edges { cursor } } }` }, 'GRAPHQL_VALIDATION_FAILED'],
    ['an Int variable', { query: 'query ($n: Int) { listeningHistory(first: $n) { edges { cursor } } }', variables: { n: HUGE } }, 'BAD_USER_INPUT'],
    ['a cursor', { query: `{ listeningHistory(after: "${HUGE}") { edges { cursor } } }` }, 'UNAUTHENTICATED'],
  ])('repeat no more than the start of %s', async (_what, body, code) => {
    const response = await postGraphql(h.graphqlUrl, body);
    expect(codes(response.body)).toEqual([code]);
    expect(response.text.length).toBeLessThan(2_000);
    expect(response.text).not.toContain('x'.repeat(101));
    if (code !== 'UNAUTHENTICATED') expect(response.body.errors[0].message).toMatch(/x{64}… \(8000[01] characters\)/);
    expect(h.logs.lines.join('\n')).not.toContain('x'.repeat(101));
  });
});

describe('capEchoedValues', () => {
  it('keeps short messages as they are, cuts long quoted values and long runs, and caps the whole', () => {
    expect(capEchoedValues('Variable "$first" got invalid value "abc"; Int cannot represent non-integer value: "abc"')).toBe(
      'Variable "$first" got invalid value "abc"; Int cannot represent non-integer value: "abc"',
    );
    expect(capEchoedValues(`value "${'a b '.repeat(100)}" is bad`)).toBe(`value "${'a b '.repeat(100).slice(0, 64)}… (400 characters)" is bad`);
    expect(capEchoedValues(`date-time-string ${'é'.repeat(500)}.`)).toBe(`date-time-string ${'é'.repeat(64)}… (501 characters)`);
    expect(capEchoedValues('word '.repeat(1_000)).length).toBeLessThanOrEqual(1_001);
  });
});
