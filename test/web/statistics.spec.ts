import type { Page, Request } from '@playwright/test';
import { expect, expectAccessible, graphql, importHistory, listener, screenshots, signIn, test } from './fixtures.js';

interface SummaryAnswer {
  listeningSummary: { plays: number; distinctArtists: number; longestStreak: { days: number } | null };
}

/** The statistics request the page sent for the range it shows, asked again: what the page shows must be its answer. */
async function answerTo(page: Page, request: Request): Promise<SummaryAnswer> {
  const sent = request.postDataJSON() as { variables: { range: unknown } };
  return graphql<SummaryAnswer>(page, 'query ($range: StatsRange!) { listeningSummary(range: $range) { plays distinctArtists longestStreak { days } } }', { range: sent.variables.range });
}

const summaryRequest = (page: Page) => page.waitForRequest((request) => request.url().endsWith('/graphql') && (request.postData() ?? '').includes('query StatsSummary'));

test('statistics show, for each range chosen, exactly what the API answers for it', async ({ page }) => {
  const who = await listener(1);
  await signIn(page, who);
  // Two months before Playlog, as a listener who imported their history has them.
  await importHistory(page, who, 60);

  const first = summaryRequest(page);
  await page.getByRole('link', { name: 'Statistics' }).click();
  const thirtyDays = await answerTo(page, await first);
  await expect(page.getByRole('button', { name: 'Last 30 days' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('summary-plays')).toContainText(thirtyDays.listeningSummary.plays.toLocaleString('en-GB'));
  expect(thirtyDays.listeningSummary.plays).toBeGreaterThan(0);

  const next = summaryRequest(page);
  await page.getByRole('button', { name: 'All time' }).click();
  const allTime = await answerTo(page, await next);
  expect(allTime.listeningSummary.plays).toBeGreaterThan(thirtyDays.listeningSummary.plays);
  await expect(page.getByTestId('summary-plays')).toContainText(allTime.listeningSummary.plays.toLocaleString('en-GB'));
  await expect(page.getByTestId('summary-artists')).toContainText(allTime.listeningSummary.distinctArtists.toLocaleString('en-GB'));
  await expect(page.getByTestId('summary-streak')).toContainText(allTime.listeningSummary.longestStreak ? `${allTime.listeningSummary.longestStreak.days} day` : '—');

  const top = await graphql<{ topArtists: { edges: Array<{ node: { artist: { name: string } } }> } }>(page, '{ topArtists(first: 3) { edges { node { artist { name } } } } }');
  await expect(page.getByTestId('top-artists').locator('li').first()).toContainText(top.topArtists.edges[0]!.node.artist.name);
  await expect(page.getByTestId('clock-chart').locator('canvas').first()).toBeVisible();
  await expect(page.getByTestId('activity-chart').locator('canvas').first()).toBeVisible();

  await expectAccessible(page);
  await screenshots(page, 'statistics');

  await page.getByRole('link', { name: 'Year in review' }).click();
  await expect(page).toHaveURL(/\/year\/\d{4}$/);
  await expect(page.getByTestId('year-lead')).toContainText('plays');
  await expectAccessible(page);
  await screenshots(page, 'year-in-review');
});
