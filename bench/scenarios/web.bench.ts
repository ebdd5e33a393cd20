import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { print } from 'graphql';
import pg from 'pg';
import { HistoryDocument } from '../../services/web/src/graphql/generated.js';
import { CHROMIUM } from '../../test/web/stack-settings.js';
import { benchSessionFor, startBenchApi } from '../support/bench-api.js';
import { HEAVY_USER_ID } from '../support/preloaded-history.js';
import { formatNumber, infoRow } from '../support/results-table.js';
import type { Scenario } from '../support/scenario.js';
import { clonePreloadedDatabase } from '../support/shared-databases.js';
import { median } from '../support/stopwatch.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIST = join(ROOT, 'services/web/dist');
const SIZES = { small: { loads: 3 }, default: { loads: 20 } };

/** The JavaScript and CSS the first page makes the browser fetch: what index.html names (entry and preloads), gzipped. */
function firstPageBytes(): { js: number; css: number; files: string[] } {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]!);
  const gzipped = (file: string) => gzipSync(readFileSync(join(DIST, file)), { level: 9 }).length;
  return {
    js: files.filter((file) => file.endsWith('.js')).reduce((sum, file) => sum + gzipped(file), 0),
    css: files.filter((file) => file.endsWith('.css')).reduce((sum, file) => sum + gzipped(file), 0),
    files,
  };
}

/** Runs in the page (a string: this file is compiled without the DOM's types). */
const FIRST_ROWS_PROBE = `
  const check = () => {
    if (document.querySelector('[data-testid="play"]')) window.firstRowsAt = performance.now();
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
`;

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

/**
 * The web app's first page in Chromium against the local API: the JavaScript it ships, the first
 * contentful paint and when the history's first rows are on screen, each load in a new browser context
 * (nothing cached). Beside it, the same history query (the app's own operation) sent straight to the API:
 * how much of the wait is the API's.
 */
export const webScenario: Scenario = {
  name: 'web',
  title: 'web app: JS shipped for the first page, first contentful paint and the history’s first rows in Chromium',
  async run(context) {
    const { loads } = SIZES[context.size];
    if (!existsSync(join(DIST, 'index.html'))) {
      context.log('building the web app (npm run web:build)');
      const built = spawnSync('npm', ['run', '--silent', 'web:build'], { cwd: ROOT, stdio: 'inherit' });
      if (built.status !== 0) throw new Error('npm run web:build failed');
    }
    const bytes = firstPageBytes();
    const installed = spawnSync('bash', ['scripts/browser-tools.sh'], { cwd: ROOT, stdio: 'inherit' });
    if (installed.status !== 0) throw new Error('scripts/browser-tools.sh could not provide Chromium');

    const { url: databaseUrl } = await clonePreloadedDatabase(context, 'web');
    const sql = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    context.defer(() => sql.end());
    const token = await benchSessionFor(sql, HEAVY_USER_ID);
    const api = await startBenchApi(context, databaseUrl, 'web');
    const apiUrl = String((await api.waitForLine((line) => line.msg === 'API listening')).url);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
    context.defer(() => browser.close());
    const measure = async () => {
      // UTC, the preloaded user's zone: the app has no reason to change it on first sight.
      const page = await browser.newPage({ timezoneId: 'UTC', viewport: { width: 1280, height: 860 } });
      try {
        await page.context().addCookies([{ name: 'playlog_session', value: token, url: apiUrl }]);
        // When the first play row is on screen (the first frame that has one), by the page's own clock.
        await page.addInitScript({ content: FIRST_ROWS_PROBE });
        await page.goto(`${apiUrl}/history`);
        await page.waitForSelector('[data-testid="play"]', { timeout: 60_000 });
        await page.waitForFunction('window.firstRowsAt !== undefined');
        return (await page.evaluate(`({ fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN, rows: window.firstRowsAt })`)) as { fcp: number; rows: number };
      } finally {
        await page.close();
      }
    };
    const query = print(HistoryDocument);
    const straight = async () => {
      const started = performance.now();
      const response = await fetch(`${apiUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, operationName: 'History', variables: { first: 50, after: null, from: null, to: null, trackId: null, albumId: null, artistId: null } }),
      });
      const body = (await response.json()) as { data?: { listeningHistory: { edges: unknown[] } } };
      if (!body.data || body.data.listeningHistory.edges.length === 0) throw new Error(`the history query answered no rows: ${JSON.stringify(body).slice(0, 300)}`);
      return performance.now() - started;
    };

    context.log('warm-up: one load and one query');
    await measure();
    await straight();
    const fcp: number[] = [];
    const rows: number[] = [];
    const api50: number[] = [];
    for (let load = 1; load <= loads; load++) {
      context.log(`load ${load} of ${loads}`);
      const measured = await measure();
      fcp.push(measured.fcp);
      rows.push(measured.rows);
      api50.push(await straight());
    }
    const ms = (value: number) => `${formatNumber(value)} ms`;
    return {
      rows: [
        infoRow('JS shipped for the first page (gzip)', `${formatNumber(bytes.js / 1024)} KiB`, `CSS ${formatNumber(bytes.css / 1024)} KiB`),
        infoRow('first contentful paint, median / p90', `${ms(median(fcp))} / ${ms(percentile(fcp, 90))}`),
        infoRow('history’s first rows on screen, median / p90', `${ms(median(rows))} / ${ms(percentile(rows, 90))}`, `the same query straight to the API: ${ms(median(api50))} / ${ms(percentile(api50, 90))}`),
      ],
      notes: [
        `${loads} loads of /history, each in a new Chromium context (nothing cached), 1280×860, signed in as the preloaded heavy user; times from the start of navigation, by the page's own clock`,
        `first page: ${bytes.files.join(', ')} (the statistics and year-in-review pages load the chart library when first opened)`,
        'baseline: the app’s own History operation (first 50 plays) sent by Node to the same API, timed to its last byte',
      ],
    };
  },
};
