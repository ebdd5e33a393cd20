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

  // Ranked by listening time: the ranking the API gives for that order.
  await page.getByLabel('Rank by').selectOption('TIME');
  const byTime = await graphql<{ topTracks: { edges: Array<{ node: { track: { name: string } } }> } }>(page, '{ topTracks(first: 1, orderBy: TIME) { edges { node { track { name } } } } }');
  await expect(page.getByTestId('top-tracks').locator('li').first()).toContainText(byTime.topTracks.edges[0]!.node.track.name);

  // Activity by week: the page asks the API for weeks and draws one bar per week.
  const weekly = summaryRequest(page);
  await page.getByRole('combobox', { name: 'By', exact: true }).selectOption('WEEK');
  expect(((await weekly).postDataJSON() as { variables: { bucket: string } }).variables.bucket).toBe('WEEK');
  await expect(page.getByTestId('activity-chart')).toHaveAttribute('aria-label', /over \d+ weeks$/);

  // A custom range of local dates: November in the listener's zone (Europe/Paris, UTC+1 then).
  await page.getByRole('button', { name: 'Custom' }).click();
  await page.getByLabel('From').fill('2026-11-01');
  await page.getByLabel('To').fill('2026-11-30');
  const november = await graphql<SummaryAnswer>(page, '{ listeningSummary(range: { from: "2026-10-31T23:00:00Z", to: "2026-11-30T23:00:00Z" }) { plays distinctArtists longestStreak { days } } }');
  expect(november.listeningSummary.plays).toBeGreaterThan(0);
  await expect(page.getByTestId('summary-plays')).toContainText(november.listeningSummary.plays.toLocaleString('en-GB'));

  // The history jumps to a date: its newest plays are that day's, grouped under it.
  await page.getByRole('link', { name: 'History' }).click();
  await page.getByLabel('To (jump to a date)').fill('2026-11-15');
  await expect(page.locator('.day-title').first()).toHaveText('Sunday, 15 November 2026');
  const newest = await page.getByTestId('play-time').first().getAttribute('datetime');
  expect(Date.parse(newest!)).toBeLessThan(Date.parse('2026-11-15T23:00:00Z'));

  await page.getByRole('link', { name: 'Year in review' }).click();
  await expect(page).toHaveURL(/\/year\/\d{4}$/);
  await expect(page.getByTestId('year-lead')).toContainText('plays');
  await expectAccessible(page);
  await screenshots(page, 'year-in-review');
});
