import { describe, expect, it } from 'vitest';
import { API_URL } from './stack.js';

// What a browser sends for a page: the API answers its JSON home to programs and the web app to browsers.
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

/** Every script and stylesheet of the page that is one of the built app's /assets/ files. */
function assetsOf(html: string): Array<{ path: string; kind: 'script' | 'stylesheet' }> {
  const found: Array<{ path: string; kind: 'script' | 'stylesheet' }> = [];
  for (const [tag] of html.matchAll(/<(script|link)\b[^>]*>/g)) {
    const url = /\b(?:src|href)="([^"]+)"/.exec(tag)?.[1];
    if (!url?.startsWith('/assets/')) continue;
    if (tag.startsWith('<script')) found.push({ path: url, kind: 'script' });
    else if (/\brel="stylesheet"/.test(tag)) found.push({ path: url, kind: 'stylesheet' });
    else if (/\brel="modulepreload"/.test(tag)) found.push({ path: url, kind: 'script' });
  }
  return found;
}

describe('the web app', () => {
  it('is the page a browser gets at /, and every script and stylesheet it references is served', async () => {
    const page = await fetch(`${API_URL}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html\b/);
    const html = await page.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('<title>Playlog</title>');

    const assets = assetsOf(html);
    expect(assets.map((asset) => asset.kind)).toEqual(expect.arrayContaining(['script', 'stylesheet']));
    for (const asset of assets) {
      const response = await fetch(`${API_URL}${asset.path}`);
      const type = response.headers.get('content-type') ?? '';
      expect({ path: asset.path, status: response.status }).toEqual({ path: asset.path, status: 200 });
      expect(type, asset.path).toMatch(asset.kind === 'script' ? /^(text|application)\/javascript\b/ : /^text\/css\b/);
      expect((await response.arrayBuffer()).byteLength, asset.path).toBeGreaterThan(0);
    }
  });
});
