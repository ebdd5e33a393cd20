import { expect, expectAccessible, graphql, listener, screenshots, signIn, test } from './fixtures.js';

interface SearchAnswer {
  search: { edges: Array<{ node: { kind: string; item: { id: string; name: string } } }> };
}

test('the header’s search finds what the listener played from a careless half word, by keyboard alone', async ({ page }) => {
  const who = await listener(12);
  await signIn(page, who);
  // The first poll has stored plays once the history shows them.
  await expect(page.getByTestId('play-time').first()).toBeVisible({ timeout: 30_000 });
  const { topArtists } = await graphql<{ topArtists: { edges: Array<{ node: { artist: { name: string } } }> } }>(page, '{ topArtists(first: 1) { edges { node { artist { name } } } } }');
  const artist = topArtists.edges[0]!.node.artist.name;
  // What a hurried listener types: the start of the name, in upper case.
  const typed = artist.slice(0, Math.max(4, Math.ceil(artist.length * 0.7))).toUpperCase();
  const { search } = await graphql<SearchAnswer>(page, 'query ($query: String!) { search(query: $query, first: 8) { edges { node { kind item { ... on Node { id } ... on Artist { name } ... on Album { name } ... on Track { name } } } } } }', { query: typed });
  expect(search.edges.length).toBeGreaterThan(0);

  const box = page.getByRole('combobox', { name: 'Search what you played' });
  await box.focus();
  await page.keyboard.type(typed);
  const options = page.getByRole('listbox', { name: 'Search results' }).getByRole('option');
  await expect(options).toHaveCount(search.edges.length);
  for (const [index, { node }] of search.edges.entries()) await expect(options.nth(index)).toContainText(node.item.name);
  await expectAccessible(page);
  await screenshots(page, 'search');

  // Down twice and up once: the first result highlighted, then opened with Enter.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowUp');
  await expect(options.first()).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  const first = search.edges[0]!.node;
  await expect(page).toHaveURL(new RegExp(`/history\\?${first.kind.toLowerCase()}=${encodeURIComponent(first.item.id)}$`));
  await expect(page.getByTestId('play-time').first()).toBeVisible();
  await expect(box).toHaveValue('');

  // Nothing matches: the box says so, and Escape closes it.
  await box.fill('zzqxv');
  await expect(page.getByRole('status').filter({ hasText: 'Nothing you played matches “zzqxv”.' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('status').filter({ hasText: 'Nothing you played matches' })).toBeHidden();
});
