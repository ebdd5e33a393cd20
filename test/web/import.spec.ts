import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, expectAccessible, streamingHistoryOf, graphql, listener, screenshots, signIn, test } from './fixtures.js';

test('a listener uploads their extended streaming history and watches the import complete', async ({ page }) => {
  const who = await listener(2);
  await signIn(page, who);
  await page.getByRole('link', { name: 'Import' }).click();
  await expect(page.getByRole('heading', { name: 'Import', level: 1 })).toBeVisible();
  await expect(page.getByText('No imports yet.')).toBeVisible();
  await expectAccessible(page);

  // The emulator's streaming history of the ten days before now: the file Spotify would send.
  const rows = await streamingHistoryOf(who, 10);
  expect(rows.length).toBeGreaterThan(100);
  const dir = mkdtempSync(join(tmpdir(), 'playlog-web-'));
  const file = join(dir, 'Streaming_History_Audio_2026.json');
  writeFileSync(file, JSON.stringify(rows));
  try {
    await page.getByLabel('Choose a file').setInputFiles(file);
    await expect(page.getByRole('status').filter({ hasText: 'is uploaded' })).toBeVisible();
  } finally {
    // The browser reads the file while it uploads: it goes once the upload is done.
    rmSync(dir, { recursive: true, force: true });
  }
  const item = page.getByTestId('import').first();
  await expect(item).toHaveAttribute('data-status', 'COMPLETED', { timeout: 120_000 });

  const answer = await graphql<{ imports: { edges: Array<{ node: { status: string; counts: { rowsRead: number; stored: number; duplicates: number } } }> } }>(
    page,
    '{ imports(first: 1) { edges { node { status counts { rowsRead stored duplicates } } } } }',
  );
  const counts = answer.imports.edges[0]!.node.counts;
  expect(counts.rowsRead).toBe(rows.length);
  await expect(item.getByTestId('import-counts')).toHaveText(
    new RegExp(`^${counts.rowsRead.toLocaleString('en-GB')} rows read: ${counts.stored.toLocaleString('en-GB')} new plays, ${counts.duplicates.toLocaleString('en-GB')} already known`),
  );
  await expect(item.getByRole('button', { name: /Cancel the import/ })).toHaveCount(0);
  await expectAccessible(page);
  await screenshots(page, 'import');
});
