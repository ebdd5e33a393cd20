import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { WEB_STACK } from './stack-settings.js';

/**
 * Every test's page reaches only this machine: album art (Spotify's image CDN, as the emulator's catalogue
 * names it) is answered with a square drawn from its URL, and any other address off the machine is refused.
 * A test fails when its page threw an uncaught error or broke the app's Content-Security-Policy.
 */
export const test = base.extend({
  page: async ({ page }, use) => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content.Security.Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });
    await page.route(/^https?:\/\/(?!127\.0\.0\.1[:/]|localhost[:/])/, async (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === 'i.scdn.co') return route.fulfill({ status: 200, contentType: 'image/svg+xml', body: albumArt(url.pathname) });
      return route.abort('blockedbyclient');
    });
    await use(page);
    expect(problems).toEqual([]);
  },
});
export { expect };

function albumArt(seed: string): string {
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const hue = hash % 360;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="hsl(${hue} 45% 42%)"/><circle cx="32" cy="32" r="18" fill="hsl(${(hue + 40) % 360} 55% 65%)"/><circle cx="32" cy="32" r="4" fill="hsl(${hue} 45% 20%)"/></svg>`;
}

export interface Listener {
  id: string;
  displayName: string;
}

/** The emulator's synthetic listener number `index`: each spec file signs in as a listener of its own. */
export async function listener(index: number): Promise<Listener> {
  const users = (await (await fetch(`${WEB_STACK.emulatorUrl}/admin/users`)).json()) as Listener[];
  const user = users[index];
  if (!user) throw new Error(`the emulator has no listener ${index}: raise WEB_STACK.listeners`);
  return user;
}

/** Signs in as a person would: the app's sign-in page, then the emulator's Spotify login page. Lands on History. */
export async function signIn(page: Page, who: Listener): Promise<void> {
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByRole('link', { name: 'Sign in with Spotify' }).click();
  await expect(page).toHaveTitle(/Spotify emulator/);
  await page.getByRole('link', { name: who.displayName, exact: true }).click();
  await expect(page).toHaveURL(/\/history$/);
  await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeVisible();
}

/** A GraphQL request with the page's session cookie, as the app sends it. */
export async function graphql<T>(page: Page, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await page.request.post('/graphql', { data: { query, variables } });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (body.errors?.length) throw new Error(body.errors.map((error) => error.message).join('; '));
  return body.data as T;
}

/** The emulator's ground truth: the plays Spotify's recently-played can return for a listener now. */
export async function retrievablePlays(who: Listener): Promise<Array<{ playedAt: string }>> {
  const body = (await (await fetch(`${WEB_STACK.emulatorUrl}/admin/users/${who.id}/retrievable`)).json()) as { plays: Array<{ playedAt?: string; played_at?: string }> };
  return body.plays.map((play) => ({ playedAt: play.playedAt ?? play.played_at ?? '' }));
}

const DAY_MS = 86_400_000;

/** The emulator's extended streaming history of a listener's plays over the `days` before its now, as Spotify sends it. */
export async function streamingHistoryOf(who: Listener, days: number): Promise<unknown[]> {
  const clock = (await (await fetch(`${WEB_STACK.emulatorUrl}/admin/clock`)).json()) as { now: string };
  const to = Date.parse(clock.now);
  const url = `${WEB_STACK.emulatorUrl}/admin/users/${who.id}/streaming-history?from=${new Date(to - days * DAY_MS).toISOString()}&to=${new Date(to).toISOString()}`;
  return (await (await fetch(url)).json()) as unknown[];
}

/** Imports `days` of the listener's history through POST /imports with the page's session, and waits until it completed. */
export async function importHistory(page: Page, who: Listener, days: number): Promise<void> {
  const rows = await streamingHistoryOf(who, days);
  const upload = await page.request.post('/imports?filename=Streaming_History_Audio.json', { data: Buffer.from(JSON.stringify(rows)), headers: { 'content-type': 'application/json' } });
  expect(upload.status()).toBe(202);
  await expect
    .poll(async () => (await graphql<{ imports: { edges: Array<{ node: { status: string } }> } }>(page, '{ imports(first: 1) { edges { node { status } } } }')).imports.edges[0]?.node.status, {
      timeout: 120_000,
    })
    .toBe('COMPLETED');
}

const SCREENSHOTS = process.env.WEB_SCREENSHOTS_DIR ?? join(fileURLToPath(new URL('../../', import.meta.url)), 'test-results', 'web-screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });

export const VIEWPORTS = {
  desktop: { width: 1280, height: 860 },
  phone: { width: 390, height: 844 },
} as const;

/**
 * Screenshots of the page at desktop and phone width (docs/web.md shows the committed ones), or of one
 * part of it (`part`: a section the docs show on its own, wherever the page has it).
 */
export async function screenshots(page: Page, name: string, part?: Locator): Promise<void> {
  const original = page.viewportSize();
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(300);
    const path = join(SCREENSHOTS, `${name}-${size}.png`);
    if (part) await part.screenshot({ path });
    else await page.screenshot({ path, fullPage: size === 'desktop' ? false : true });
  }
  if (original) await page.setViewportSize(original);
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  expect(bad.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`)).toEqual([]);
}
