import { expect, expectAccessible, graphql, listener, retrievablePlays, screenshots, signIn, test } from './fixtures.js';
import { WEB_STACK } from './stack-settings.js';

test('a listener signs in through Spotify and sees the plays Spotify had', async ({ page }) => {
  const who = await listener(0);
  await signIn(page, who);

  // The first poll runs right after the login: the plays arrive without reloading.
  const truth = await retrievablePlays(who);
  expect(truth.length).toBeGreaterThan(0);
  await expect(page.getByTestId('history-count')).toContainText(`${truth.length.toLocaleString('en-GB')} plays`, { timeout: 60_000 });
  const answer = await graphql<{ listeningHistory: { totalCount: number; edges: Array<{ node: { track: { name: string } } }> } }>(
    page,
    '{ listeningHistory(first: 5) { totalCount edges { node { track { name } } } } }',
  );
  expect(answer.listeningHistory.totalCount).toBe(truth.length);
  const rows = page.getByTestId('play');
  await expect(rows.first()).toBeVisible();
  for (const [index, edge] of answer.listeningHistory.edges.entries()) await expect(rows.nth(index)).toContainText(edge.node.track.name);
  // Grouped by local day, newest first.
  await expect(page.locator('.day-title').first()).toBeVisible();

  await expectAccessible(page);
  await screenshots(page, 'history');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expectAccessible(page);
  await screenshots(page, 'history-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  // The keyboard reaches everything: the first Tab offers to skip the navigation.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();

  // Filtering by an artist: only their plays, and the filter says whose.
  const artist = page.getByTestId('play').first().locator('.artists a').first();
  const artistName = (await artist.textContent())!;
  await artist.click();
  await expect(page).toHaveURL(/[?&]artist=/);
  await expect(page.getByRole('list', { name: 'Active filters' })).toContainText(`artist: ${artistName}`);
  for (const row of await page.getByTestId('play').all()) await expect(row.locator('.artists')).toContainText(artistName);

  // An answer the API refuses shows the API's own message, never a blank page.
  await page.goto('/history?artist=not-an-id');
  await expect(page.getByRole('alert')).toContainText(/artistId/);
});

test('a listener who refuses access on Spotify gets a page that says so, and can try again', async ({ page }) => {
  await page.goto('/sign-in');
  await expectAccessible(page);
  await screenshots(page, 'sign-in');
  await page.getByRole('link', { name: 'Sign in with Spotify' }).click();
  await page.getByRole('link', { name: 'Cancel (deny access)' }).click();
  await expect(page).toHaveURL(/\/sign-in\?error=SPOTIFY_LOGIN_DENIED/);
  await expect(page.getByRole('heading', { name: 'You did not give Playlog access' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Sign in with Spotify' })).toBeVisible();
  await expectAccessible(page);
  await screenshots(page, 'access-denied');

  // A crafted link cannot put its own words on the page: an unknown code and a reference that is no request id.
  await page.goto(`/sign-in?error=${encodeURIComponent('ACCOUNT SUSPENDED: call +1 555 0100')}&request=call-555-0100-now`);
  await expect(page.getByRole('alert')).toContainText('The sign-in did not complete');
  await expect(page.locator('body')).not.toContainText('555');
});

test('a new listener is told their plays are coming, and they appear without reloading', async ({ page }) => {
  const who = await listener(7);
  // Spotify answers slowly: the history page is open before the first poll has stored anything.
  const faults = (settings: object) => fetch(`${WEB_STACK.emulatorUrl}/admin/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
  await faults({ latencyMs: 3000, targets: ['api'] });
  try {
    await signIn(page, who);
    await expect(page.getByRole('region', { name: 'No plays yet' })).toContainText('your first plays appear within a few minutes');
    await expectAccessible(page);
    await screenshots(page, 'history-empty');
    await expect(page.getByTestId('play').first()).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId('history-count')).toContainText(`${(await retrievablePlays(who)).length} plays`);
  } finally {
    await faults({ latencyMs: 0 });
  }
});

test('opening the history asks for its first plays beside the account, not after it', async ({ page }) => {
  const who = await listener(8);
  await signIn(page, who);
  await expect(page.getByTestId('play').first()).toBeVisible({ timeout: 60_000 });

  // The account's answer held back: the history's first page must be on its way all the same.
  const asked: string[] = [];
  let releaseMe = () => {};
  const meHeld = new Promise<void>((resolve) => (releaseMe = resolve));
  await page.route('**/graphql', async (route) => {
    const operation = String((route.request().postDataJSON() as { operationName?: string } | null)?.operationName);
    asked.push(operation);
    if (operation === 'Me') await meHeld;
    await route.continue();
  });
  await page.reload();
  await expect.poll(() => asked, { timeout: 10_000 }).toEqual(expect.arrayContaining(['Me', 'History']));
  releaseMe();
  await expect(page.getByTestId('play').first()).toBeVisible();
  // One request for that page: the history took the one asked early.
  expect(asked.filter((operation) => operation === 'History')).toHaveLength(1);
});
