import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from './api-harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await startApiHarness({ label: 'api_ide' });
});
afterAll(async () => {
  await h?.stop();
});

describe('GraphQL IDE', () => {
  it('serves a GraphiQL page to a browser whose scripts all come from the API itself', async () => {
    const page = await fetch(h.graphqlUrl, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('GraphiQL');
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBe(4);
    for (const source of sources) {
      expect(source.startsWith('/')).toBe(true);
      const asset = await fetch(new URL(source, h.api.url));
      expect(asset.status).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });

  it('still answers GraphQL requests at the same URL', async () => {
    const response = await fetch(`${h.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('is not served in production', async () => {
    const production = await h.startAnotherApi({ NODE_ENV: 'production' });
    const page = await fetch(`${production.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('GraphiQL');
    const asset = await fetch(`${production.url}/graphiql/graphiql.js`);
    expect(asset.status).toBe(404);
  });
});
