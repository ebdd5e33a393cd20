import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiHarness, type ApiHarness } from './api-harness.js';

const PAGE = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const INDEX = '<!doctype html><title>Playlog</title><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script>';

let h: ApiHarness;
let dist: string;
let url: string;

beforeAll(async () => {
  // A built app as Vite lays it out: index.html, hashed assets, a public file.
  dist = mkdtempSync(join(tmpdir(), 'playlog-web-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), INDEX);
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log("playlog")');
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  h = await startApiHarness({ label: 'web_app', env: { WEB_DIST_DIR: dist, ADMIN_PASSWORD: 'correct-horse-battery' } });
  url = h.api.url;
});

afterAll(async () => {
  await h?.stop();
  rmSync(dist, { recursive: true, force: true });
});

describe('the web app served by the API', () => {
  it('answers a browser at / and at any page of the app with index.html, never cached', async () => {
    for (const path of ['/', '/history', '/stats', '/year/2025', '/sign-in?error=SPOTIFY_LOGIN_DENIED', '/account']) {
      const response = await fetch(`${url}${path}`, { headers: PAGE });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control'), path).toBe('no-cache');
      // Scripts and connections to this origin only, and never in a frame.
      expect(response.headers.get('content-security-policy'), path).toMatch(/default-src 'self'; script-src 'self';.*connect-src 'self';.*frame-ancestors 'none'/);
      expect(await response.text(), path).toBe(INDEX);
    }
  });

  it('keeps answering programs at / with JSON, as before there was an app', async () => {
    const response = await fetch(`${url}/`);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ service: 'playlog-api', graphql: '/graphql' });
  });

  it('serves hashed assets for a year, immutable, and a missing asset as a 404, not as the page', async () => {
    const asset = await fetch(`${url}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('console.log("playlog")');

    const missing = await fetch(`${url}/assets/index-gone99.js`, { headers: PAGE });
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain('<div id="root">');

    const favicon = await fetch(`${url}/favicon.svg`);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get('cache-control')).toBe('public, max-age=3600');
  });

  it('never answers the API’s own paths with the app, even when a browser asks for a page', async () => {
    const notTheApp = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${url}${path}`, { redirect: 'manual', ...init, headers: { ...PAGE, ...init.headers } });
      expect(await response.text(), path).not.toContain('<div id="root">');
      return response;
    };
    expect((await notTheApp('/healthz')).status).toBe(200);
    expect((await notTheApp('/readyz')).status).toBe(200);
    expect((await notTheApp('/auth/login')).status).toBe(302);
    expect((await notTheApp('/imports')).status).toBe(404);
    // The download route of personal exports answers for itself: who asks without a session is refused.
    expect((await notTheApp('/exports/x/download')).status).toBe(401);
    expect((await notTheApp('/admin/queues')).status).toBe(401);
    // GraphiQL for browsers in development, as before.
    expect((await notTheApp('/graphql')).headers.get('content-type')).toMatch(/^text\/html/);
    const graphql = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(await graphql.json()).toEqual({ data: { __typename: 'Query' } });
    // Only page loads get the app: a POST to an app path is not one.
    expect((await notTheApp('/history', { method: 'POST' })).status).toBe(404);
  });

  it('counts the app’s pages and assets under two route labels, whatever paths the browser asked for', async () => {
    for (const path of ['/some/page', '/another-page', '/stats']) await (await fetch(`${url}${path}`, { headers: PAGE })).arrayBuffer();
    await (await fetch(`${url}/assets/index-abc123.js`)).arrayBuffer();
    const scraped = await (await fetch(h.api.metricsUrl)).text();
    const routes = new Set([...scraped.matchAll(/^playlog_http_request_duration_seconds_count\{[^}]*route="([^"]+)"/gm)].map((match) => match[1]));
    expect(routes).toContain('(web app page)');
    expect(routes).toContain('/assets/:file');
    for (const route of routes) expect(route).not.toMatch(/some|another|abc123/);
  });

  it('sends a browser whose login failed to the app’s sign-in page, which explains the code', async () => {
    const response = await fetch(`${url}/auth/callback?error=access_denied&state=forged`, { redirect: 'manual', headers: { ...PAGE, cookie: 'playlog_login_state=forged' } });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!, url);
    expect(location.pathname).toBe('/sign-in');
    expect(location.searchParams.get('error')).toBe('LOGIN_STATE_INVALID');
    expect(location.searchParams.get('request')).toBe(response.headers.get('x-request-id'));
    // Programs still get the JSON error.
    const json = await fetch(`${url}/auth/callback?error=access_denied&state=forged`, { headers: { accept: 'application/json', cookie: 'playlog_login_state=forged' } });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('LOGIN_STATE_INVALID');
  });
});
