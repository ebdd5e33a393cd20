import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, expectAccessible, graphql, listener, screenshots, signIn, test } from './fixtures.js';
import { WEB_STACK } from './stack-settings.js';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** What the listening clock's heatmap says of itself, from the API's cells in the listener's zone (the first busiest cell). */
async function expectedClockLabel(page: Page): Promise<string> {
  const { listeningClock: cells } = await graphql<{ listeningClock: Array<{ weekday: number; hour: number; plays: number }> }>(page, '{ listeningClock { weekday hour plays } }');
  const busiest = cells.reduce((best, cell) => (cell.plays > best.plays ? cell : best));
  return `Listening clock: busiest on ${WEEKDAYS[busiest.weekday - 1]} at ${busiest.hour}:00 with ${busiest.plays} plays`;
}

const timeIn = (instant: string, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' }).format(new Date(instant));

test('a listener’s zone defaults to the browser’s, and changing it moves every time shown', async ({ page }) => {
  await signIn(page, await listener(3));
  const firstTime = page.getByTestId('play-time').first();
  await expect(firstTime).toBeVisible({ timeout: 60_000 });
  const instant = (await firstTime.getAttribute('datetime'))!;

  await page.getByRole('link', { name: 'Account' }).click();
  // The browser runs in Europe/Paris: a new listener gets that zone.
  await expect(page.getByLabel('Time zone')).toHaveValue('Europe/Paris');
  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.getByTestId('play-time').first()).toHaveText(timeIn(instant, 'Europe/Paris'));
  await page.getByRole('link', { name: 'Statistics' }).click();
  await page.getByRole('button', { name: 'All time' }).click();
  const parisClock = await expectedClockLabel(page);
  await expect(page.getByTestId('clock-chart')).toHaveAttribute('aria-label', parisClock);

  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByLabel('Time zone').selectOption('Australia/Adelaide');
  await expect(page.getByRole('status').filter({ hasText: 'Time zone set to Australia/Adelaide' })).toBeVisible();
  expect((await graphql<{ me: { timeZone: string } }>(page, '{ me { timeZone } }')).me.timeZone).toBe('Australia/Adelaide');
  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.getByTestId('play-time').first()).toHaveText(timeIn(instant, 'Australia/Adelaide'));
  expect(timeIn(instant, 'Australia/Adelaide')).not.toBe(timeIn(instant, 'Europe/Paris'));
  // The listening clock moves with the zone: its hours are Adelaide's now.
  await page.getByRole('link', { name: 'Statistics' }).click();
  await page.getByRole('button', { name: 'All time' }).click();
  const adelaideClock = await expectedClockLabel(page);
  expect(adelaideClock).not.toBe(parisClock);
  await expect(page.getByTestId('clock-chart')).toHaveAttribute('aria-label', adelaideClock);
});

test('sync now shows that a poll started and when it finished', async ({ page }) => {
  await signIn(page, await listener(4));
  await page.getByRole('link', { name: 'Account' }).click();
  await expect(page.getByTestId('last-poll')).not.toContainText('Not yet', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.getByTestId('sync-status')).toContainText('The poll finished at', { timeout: 60_000 });
  const me = await graphql<{ me: { lastSuccessfulPoll: string; timeZone: string } }>(page, '{ me { lastSuccessfulPoll timeZone } }');
  await expect(page.getByTestId('last-poll')).toHaveText(new Intl.DateTimeFormat('en-GB', { timeZone: me.me.timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(me.me.lastSuccessfulPoll)));
  await expectAccessible(page);
  await screenshots(page, 'account');
});

test('a listener deletes their account behind a typed confirmation and lands signed out', async ({ page }) => {
  await signIn(page, await listener(5));
  await page.getByRole('link', { name: 'Account' }).click();
  const confirm = page.getByRole('button', { name: 'Delete my account' });
  await expect(confirm).toBeDisabled();
  await page.getByLabel(/Type “delete my account” to confirm/).fill('delete my account');
  await confirm.click();
  await expect(page).toHaveURL(/\/sign-in\?deleted=1$/);
  await expect(page.getByRole('status')).toContainText('Your account is deleted');
  await page.goto('/history');
  await expect(page).toHaveURL(/\/sign-in$/);
  const response = await page.request.post('/graphql', { data: { query: '{ me { id } }' } });
  expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
});

test('a listener whose Spotify access ended sees a banner on every page, and one click logs them in again', async ({ page }) => {
  const who = await listener(6);
  await signIn(page, who);
  await page.getByRole('link', { name: 'Account' }).click();
  await expect(page.getByTestId('last-poll')).not.toContainText('Not yet', { timeout: 60_000 });
  await expect(page.getByRole('region', { name: 'Spotify access' })).toHaveCount(0);

  // Spotify revokes Playlog's grant: the next poll finds out, and the account needs a new login.
  await fetch(`${WEB_STACK.emulatorUrl}/admin/users/${who.id}/revoke-refresh-tokens`, { method: 'POST' });
  await fetch(`${WEB_STACK.emulatorUrl}/admin/users/${who.id}/expire-access-tokens`, { method: 'POST' });
  await page.getByRole('button', { name: 'Sync now' }).click();
  const banner = page.getByRole('region', { name: 'Spotify access' });
  await expect(banner).toContainText('Spotify no longer lets Playlog read your plays', { timeout: 60_000 });
  await expect(page.getByTestId('account-status')).toHaveText('Paused: log in again with Spotify');
  for (const name of ['History', 'Statistics', 'Import']) {
    await page.getByRole('link', { name, exact: true }).click();
    await expect(banner).toBeVisible();
  }
  await expectAccessible(page);
  await screenshots(page, 'reauthorisation-banner');

  await banner.getByRole('link', { name: 'Log in again with Spotify' }).click();
  await page.getByRole('link', { name: who.displayName, exact: true }).click();
  await expect(page).toHaveURL(/\/history$/);
  await expect(page.getByRole('heading', { name: 'History', level: 1 })).toBeVisible();
  await expect(banner).toHaveCount(0);
});

test('a listener exports their history as CSV and downloads the file', async ({ page }) => {
  await signIn(page, await listener(9));
  await page.getByRole('link', { name: 'Account' }).click();
  await expect(page.getByTestId('last-poll')).not.toContainText('Not yet', { timeout: 60_000 });
  await page.getByLabel('Format').selectOption('CSV');
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const item = page.getByTestId('export').first();
  await expect(item).toHaveAttribute('data-status', 'COMPLETED', { timeout: 60_000 });
  const plays = (await graphql<{ listeningHistory: { totalCount: number } }>(page, '{ listeningHistory(first: 1) { totalCount } }')).listeningHistory.totalCount;
  await expect(item).toContainText(`${plays} plays`);
  await expectAccessible(page);

  const [download] = await Promise.all([page.waitForEvent('download'), item.getByRole('link', { name: 'Download' }).click()]);
  const file = await download.path();
  const lines = readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
  // A header row, then one record per play.
  expect(lines).toHaveLength(plays + 1);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
});
