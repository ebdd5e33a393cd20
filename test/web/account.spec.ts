import { expect, expectAccessible, graphql, listener, screenshots, signIn, test } from './fixtures.js';

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

  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByLabel('Time zone').selectOption('Australia/Adelaide');
  await expect(page.getByRole('status').filter({ hasText: 'Time zone set to Australia/Adelaide' })).toBeVisible();
  expect((await graphql<{ me: { timeZone: string } }>(page, '{ me { timeZone } }')).me.timeZone).toBe('Australia/Adelaide');
  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.getByTestId('play-time').first()).toHaveText(timeIn(instant, 'Australia/Adelaide'));
  expect(timeIn(instant, 'Australia/Adelaide')).not.toBe(timeIn(instant, 'Europe/Paris'));
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
