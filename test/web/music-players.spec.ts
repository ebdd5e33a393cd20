import type { Locator } from '@playwright/test';
import { expect, expectAccessible, graphql, listener, screenshots, signIn, test } from './fixtures.js';

// Not the browser's zone (Europe/Paris): the times shown must be the listener's.
const LISTENER_ZONE = 'Australia/Adelaide';
const TOKEN_NAME = 'Navidrome on the NAS';

const dateTimeIn = (instant: string, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(instant));
const timeIn = (instant: number, timeZone: string) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' }).format(new Date(instant));

/** A player's request, sent from this process as a player sends it: the token in the Authorization header. */
function send(url: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return fetch(url, {
    method: init.method ?? 'POST',
    headers: { Authorization: `Token ${token}`, ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

const track = (title: string, durationMs: number) => ({
  artist_name: 'Nils Frahm',
  track_name: title,
  release_name: 'Spaces',
  additional_info: { submission_client: 'Navidrome', duration_ms: durationMs },
});

/** The URL the page tells a listener to paste into `player`. */
const urlFor = (section: Locator, player: string) => section.getByTestId('player-url').filter({ hasText: player }).locator('code');

test('a listener makes a token for a player, the player’s listens and now playing show in the history, and a revoked token is refused at once', async ({ page, context }) => {
  // The page's timers run as usual; the test moves them on to reach the now-playing line's next refresh.
  await page.clock.install();
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page, await listener(10));
  await graphql(page, 'mutation($zone: String!) { updateSettings(input: { timeZone: $zone }) { user { id } } }', { zone: LISTENER_ZONE });
  await page.goto('/account');
  const section = page.getByRole('region', { name: 'Music players' });
  await expect(section.getByText('No tokens yet')).toBeVisible();

  // A blank name is refused next to the field, which keeps the focus.
  const name = section.getByLabel('Token name (such as the player it is for)');
  await name.fill('   ');
  await name.press('Enter');
  await expect(section.getByRole('alert')).toHaveText('Give the token a name, such as the player it is for.');
  await expect(name).toBeFocused();
  await expect(name).toHaveAttribute('aria-invalid', 'true');

  await name.fill(TOKEN_NAME);
  await name.press('Enter');
  const created = section.getByTestId('new-token');
  await expect(created).toContainText('Copy it now: you will not see it again.');
  await expect(name).toHaveAttribute('aria-invalid', 'false');
  const tokenField = created.getByLabel('Token', { exact: true });
  await expect(tokenField).toBeFocused();
  const token = await tokenField.inputValue();
  expect(token).toMatch(/^plg_/);
  await created.getByRole('button', { name: 'Copy the token' }).click();
  await expect(created.getByRole('status')).toHaveText('Copied.');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

  // Listed by name with its dates in the listener's zone; the user name and URLs come from this page's origin.
  const me = (await graphql<{ me: { spotifyId: string; timeZone: string } }>(page, '{ me { spotifyId timeZone } }')).me;
  expect(me.timeZone).toBe(LISTENER_ZONE);
  const [listed] = (await graphql<{ apiTokens: Array<{ createdAt: string }> }>(page, '{ apiTokens { createdAt } }')).apiTokens;
  const row = section.getByTestId('api-token').filter({ hasText: TOKEN_NAME });
  await expect(row.getByTestId('token-created')).toHaveText(dateTimeIn(listed!.createdAt, LISTENER_ZONE));
  await expect(row.getByTestId('token-last-used')).toHaveText('not used yet');
  await expect(section.getByTestId('listenbrainz-user-name')).toHaveText(me.spotifyId);
  const origin = new URL(page.url()).origin;
  await expect(urlFor(section, 'Navidrome')).toHaveText(`${origin}/listenbrainz/1/`);
  await expect(urlFor(section, 'Pano Scrobbler')).toHaveText(`${origin}/listenbrainz`);
  await expect(urlFor(section, 'Web Scrobbler')).toHaveText(`${origin}/listenbrainz/1/submit-listens`);
  await expect(urlFor(section, 'Music Assistant')).toHaveText(origin);
  await expectAccessible(page);
  await screenshots(page, 'music-players', section);

  // Done with it: the token is gone from the page, and nothing shows it again.
  await created.getByRole('button', { name: 'Done: hide the token' }).click();
  await expect(created).toHaveCount(0);
  await page.reload();
  await expect(row).toBeVisible();
  expect(await page.content()).not.toContain(token);

  // The player, set up with the URLs as shown: Pano checks the token, Web Scrobbler sends a listen that just
  // ended, Navidrome (its base plus the endpoint) what it plays now.
  const pano = (await urlFor(section, 'Pano Scrobbler').textContent())!;
  const validated = await send(`${pano}/1/validate-token`, token, { method: 'GET' });
  expect(await validated.json()).toMatchObject({ valid: true, user_name: me.spotifyId });
  const listenedAt = Math.floor(Date.now() / 1000) - 240;
  const listened = await send((await urlFor(section, 'Web Scrobbler').textContent())!, token, { body: { listen_type: 'single', payload: [{ listened_at: listenedAt, track_metadata: track('Says', 240_000) }] } });
  expect(listened.status).toBe(200);
  expect(await listened.json()).toEqual({ status: 'ok' });
  const navidrome = `${(await urlFor(section, 'Navidrome').textContent())!}submit-listens`;
  const nowPlayingSent = await send(navidrome, token, { body: { listen_type: 'playing_now', payload: [{ track_metadata: track('Hammers', 300_000) }] } });
  expect(nowPlayingSent.status).toBe(200);

  await page.getByRole('link', { name: 'History' }).click();
  const nowPlaying = page.getByTestId('now-playing');
  await expect(nowPlaying).toHaveText('Now playing: Hammers — Nils Frahm · on Navidrome');
  const newest = page.getByTestId('play').first();
  await expect(newest).toContainText('Says');
  await expect(newest).toContainText('Nils Frahm · Spaces');
  // Stored at its end (its start plus its duration), shown in the listener's zone.
  await expect(newest.getByTestId('play-time')).toHaveText(timeIn((listenedAt + 240) * 1000, LISTENER_ZONE));
  await expectAccessible(page);
  await screenshots(page, 'history-now-playing');

  // A short track next: the line follows when the listener comes back to the page, and goes when the track ends.
  await send(navidrome, token, { body: { listen_type: 'playing_now', payload: [{ track_metadata: track('Says', 3_000) }] } });
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect(nowPlaying).toHaveText('Now playing: Says — Nils Frahm · on Navidrome');
  await expect(nowPlaying).toBeEmpty({ timeout: 10_000 });
  // And without coming back: the page asks again by itself.
  await send(navidrome, token, { body: { listen_type: 'playing_now', payload: [{ track_metadata: track('Hammers', 300_000) }] } });
  await page.clock.runFor(30_000);
  await expect(nowPlaying).toHaveText('Now playing: Hammers — Nils Frahm · on Navidrome');

  // The token's last use, in the listener's zone; then revoked from the keyboard, behind a confirmation.
  await page.getByRole('link', { name: 'Account' }).click();
  const [used] = (await graphql<{ apiTokens: Array<{ lastUsedAt: string | null }> }>(page, '{ apiTokens { lastUsedAt } }')).apiTokens;
  await expect(row.getByTestId('token-last-used')).toHaveText(dateTimeIn(used!.lastUsedAt!, LISTENER_ZONE));
  const revoke = row.getByRole('button', { name: `Revoke “${TOKEN_NAME}”` });
  await revoke.focus();
  await page.keyboard.press('Enter');
  const confirmation = section.getByRole('group', { name: `Revoke “${TOKEN_NAME}”? A player using it is refused from its next request on. This cannot be undone.` });
  await expect(confirmation.getByRole('button', { name: 'Yes, revoke it' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirmation).toHaveCount(0);
  await expect(revoke).toBeFocused();
  expect((await send(navidrome, token, { body: { listen_type: 'playing_now', payload: [{ track_metadata: track('Says', 3_000) }] } })).status).toBe(200);

  await page.keyboard.press('Enter');
  await expect(confirmation.getByRole('button', { name: 'Yes, revoke it' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(section.getByRole('status').filter({ hasText: 'is revoked' })).toHaveText(`“${TOKEN_NAME}” is revoked: players using it are refused from now on.`);
  await expect(section.getByTestId('api-token')).toHaveCount(0);
  const refused = await send(navidrome, token, { body: { listen_type: 'playing_now', payload: [{ track_metadata: track('Says', 3_000) }] } });
  expect(refused.status).toBe(401);
  // validate-token answers as ListenBrainz's does: 200, with the token invalid.
  expect(await (await send(`${pano}/1/validate-token`, token, { method: 'GET' })).json()).toMatchObject({ valid: false });
});

test('a listener with as many tokens as Playlog allows is told so next to the name, and none is made', async ({ page }) => {
  await signIn(page, await listener(11));
  const make = 'mutation($name: String!) { createApiToken(input: { name: $name }) { apiToken { id } } }';
  // Make tokens until the API refuses one: the limit is the API's, not the test's (a hundred is far past it).
  let made = 0;
  let refused = false;
  while (!refused && made < 100) {
    const answer = await page.request.post('/graphql', { data: { query: make, variables: { name: `player ${made + 1}` } } });
    refused = Boolean(((await answer.json()) as { errors?: unknown[] }).errors);
    if (!refused) made += 1;
  }
  expect(refused).toBe(true);
  expect(made).toBeGreaterThan(0);
  await page.getByRole('link', { name: 'Account' }).click();
  const section = page.getByRole('region', { name: 'Music players' });
  await expect(section.getByTestId('api-token')).toHaveCount(made);
  const name = section.getByLabel('Token name (such as the player it is for)');
  await name.fill('one more');
  await section.getByRole('button', { name: 'Create token' }).click();
  await expect(section.getByRole('alert')).toContainText('revoke one you no longer use first');
  await expect(name).toBeFocused();
  await expect(section.getByTestId('new-token')).toHaveCount(0);
  await expect(section.getByTestId('api-token')).toHaveCount(made);
  await expectAccessible(page);
});
