import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness, type LoggedIn } from '../../test/api/api-harness.js';

/**
 * The probe's finding: anonymous clients took the bounded operation-name labels of /metrics (250 made-up
 * names filled 200 of them), and the app's own names then counted as "other" until a restart.
 */
let harness: ApiHarness;
let listener: LoggedIn;

beforeAll(async () => {
  harness = await startApiHarness({ label: 'metrics_labels' });
  listener = await harness.login();
});
afterAll(async () => harness?.stop());

const post = (body: unknown, token?: string) =>
  fetch(harness.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) }, body: JSON.stringify(body) });

async function operationLabels(): Promise<string[]> {
  const text = await (await fetch(harness.api.metricsUrl)).text();
  return [...new Set([...text.matchAll(/^playlog_graphql_operation_duration_seconds_count\{[^}]*operation_name="([^"]*)"/gm)].map((match) => match[1]!))];
}

describe('operation names on /metrics', () => {
  it('come only from operations that succeeded for a signed-in listener: junk names from anonymous clients take none', async () => {
    for (let index = 0; index < 250; index += 1) {
      // Valid without a session, and refused ones, each under a made-up name.
      await post({ query: `query Junk${index} { __typename }` });
      await post({ query: `query Refused${index} { me { id } }` });
    }
    await post({ query: 'query WhoAmI { me { id } }' }, listener.token);
    await post({ query: 'query HistoryPage { listeningHistory(first: 1) { totalCount } }' }, listener.token);

    const labels = await operationLabels();
    expect(labels).toContain('WhoAmI');
    expect(labels).toContain('HistoryPage');
    expect(labels.filter((label) => /^(Junk|Refused)\d+$/.test(label))).toEqual([]);
    expect(labels).toContain('other');
  });
});
