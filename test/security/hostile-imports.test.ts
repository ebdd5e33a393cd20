import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExtendedHistoryRow } from '../../services/spotify-emulator/streaming-history.js';
import { startImportPipeline, type ImportPipeline } from '../imports/import-harness.js';
import { zipFiles } from '../imports/zip-writer.js';

/**
 * Uploads built to hurt the worker — archives of countless entries, a few bytes that look like a zip,
 * small files that expand to hours of work — fail once, quickly, with a reason the user can read, and
 * the queue moves on to everyone else's imports.
 */
let p: ImportPipeline;
let real: ExtendedHistoryRow[];
let userId: string;
const MAX_ENTRIES = 50;
const MAX_ROWS = 120;
const MAX_EXPANDED = 256 * 1024;

beforeAll(async () => {
  p = await startImportPipeline('hostile_imports', { users: 1 });
  p.emulator.addUser({ id: 'hostile', playsPerHour: 40 });
  real = await p.streamingHistoryOf('hostile', '2026-11-20T00:00:00Z');
  expect(real.length).toBeGreaterThan(MAX_ROWS);
  userId = await p.login('hostile');
  // No turn to speak of: an import hands the worker over after every chunk whenever another waits.
  await p.startImportWorker({ chunkRows: 25, limits: { maxEntries: MAX_ENTRIES, maxRows: MAX_ROWS, maxExpandedBytes: MAX_EXPANDED, turnMs: 0 } });
}, 60_000);
afterAll(async () => {
  await p?.close();
});

async function upload(name: string, content: Buffer | string): Promise<string> {
  const path = join(p.dir, name);
  await writeFile(path, content);
  return path;
}

const exists = (path: string) => access(path).then(
  () => true,
  () => false,
);

/** The import's job in the dead-letter queue: failed once, not retried. */
async function expectFailedOnce(importId: string): Promise<void> {
  const job = await p.importQueue.getJob(`import-${importId}`);
  expect(await job?.getState()).toBe('failed');
  expect(job?.attemptsMade).toBe(1);
}

describe('an archive with more entries than a streaming history has', () => {
  it('is refused before its entries are read, once, and its file deleted', async () => {
    const files = Array.from({ length: MAX_ENTRIES + 1 }, (_, i) => ({ name: `junk/${i}.txt`, content: '' }));
    const path = await upload('many-entries.zip', zipFiles(files));
    const importId = await p.queueImport(userId, path);
    const record = await p.waitForImport(importId, 20_000);
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(new RegExp(`more than ${MAX_ENTRIES} files \\(IMPORT_MAX_ARCHIVE_ENTRIES\\)`));
    expect(record.rowsRead).toBe(0);
    await expectFailedOnce(importId);
    expect(await exists(path)).toBe(false);
  });
});

describe('a file that starts like a zip but is not one', () => {
  it('fails the import once with a reason, without looping, and the next import runs', async () => {
    const broken = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 0x41)]);
    const brokenId = await p.queueImport(userId, await upload('broken.zip', broken));
    const nextId = await p.queueImport(userId, await p.writeStreamingHistory(real.slice(0, 10), 'Streaming_History_Audio_2026_0.json'));

    const record = await p.waitForImport(brokenId, 20_000);
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/not a readable zip/);
    // The checkpoint did not climb: nothing was skipped through.
    expect([record.resumeEntry, record.resumeRow, record.rowsRead]).toEqual([0, 0, 0]);
    await expectFailedOnce(brokenId);
    const warnings = p.logLines.filter((line) => line.includes(brokenId) && /"level":40/.test(line));
    expect(warnings.length).toBeLessThanOrEqual(1);

    expect((await p.waitForImport(nextId, 30_000)).status).toBe('completed');
  });
});

describe('an archive whose history expands to more than a streaming history holds', () => {
  it('is refused before a row is read', async () => {
    // Highly compressible: a small zip, far larger once inflated.
    const huge = `[${'{},'.repeat(MAX_EXPANDED / 3)}{}]`;
    const zip = zipFiles([{ name: 'Spotify Extended Streaming History/Streaming_History_Audio_2020_0.json', content: huge }]);
    expect(zip.length).toBeLessThan(MAX_EXPANDED / 50);
    const path = await upload('expands.zip', zip);
    const importId = await p.queueImport(userId, path);
    const record = await p.waitForImport(importId, 20_000);
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(new RegExp(`expands to more than ${MAX_EXPANDED} bytes \\(IMPORT_MAX_EXPANDED_BYTES\\)`));
    expect(record.rowsRead).toBe(0);
    await expectFailedOnce(importId);
    expect(await exists(path)).toBe(false);
  });
});

describe('a streaming history with more rows than the limit', () => {
  it('stores the plays of the rows up to the limit, then fails saying what was refused', async () => {
    const rows = real.slice(0, MAX_ROWS + 30);
    const other = await p.login(p.emulator.users()[0]!.id);
    const importId = await p.queueImport(other, await p.writeStreamingHistory(rows, 'Streaming_History_Audio_2026_1.json'));
    const record = await p.waitForImport(importId, 30_000);
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(new RegExp(`more than ${MAX_ROWS} rows \\(IMPORT_MAX_ROWS\\).*first ${MAX_ROWS} rows were stored, the rest was refused`));
    expect(record.rowsRead).toBe(MAX_ROWS);
    expect(record.stored + record.duplicates + record.skippedPodcast + record.skippedLocal + record.skippedMalformed).toBe(MAX_ROWS);
    const stored = await p.db.sql.query<{ n: number }>(`select count(*)::int as n from listening_events where user_id = $1 and source = 'import'`, [other]);
    expect(stored.rows[0]!.n).toBe(record.stored);
    await expectFailedOnce(importId);
  });
});

describe('one large import and a small one behind it', () => {
  it('takes turns: the small one finishes first, and the large one resumes to the same counts', async () => {
    const large = real.slice(0, MAX_ROWS);
    const largeUser = await p.login(p.emulator.users()[0]!.id);
    const largeId = await p.queueImport(largeUser, await p.writeStreamingHistory(large, 'Streaming_History_Audio_2026_2.json'));
    const smallId = await p.queueImport(userId, await p.writeStreamingHistory(real.slice(0, 5), 'Streaming_History_Audio_2026_3.json'));

    const small = await p.waitForImport(smallId, 30_000);
    const big = await p.waitForImport(largeId, 30_000);
    expect([small.status, big.status]).toEqual(['completed', 'completed']);
    expect(small.finishedAt!.getTime()).toBeLessThan(big.finishedAt!.getTime());
    expect(p.logLines.some((line) => line.includes(largeId) && line.includes('paused after its turn'))).toBe(true);
    // Taking turns loses and repeats nothing.
    expect(big.rowsRead).toBe(large.length);
    expect(big.stored + big.duplicates + big.skippedPodcast + big.skippedLocal + big.skippedMalformed).toBe(large.length);
    // Its turns used no attempts: the one that completed it is its only one. The import's row is completed
    // inside that attempt, a moment before BullMQ records the attempt as finished: wait for the queue too.
    const deadline = Date.now() + 5_000;
    let job = await p.importQueue.getJob(`import-${largeId}`);
    while ((await job?.getState()) !== 'completed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = await p.importQueue.getJob(`import-${largeId}`);
    }
    expect(await job?.getState()).toBe('completed');
    // Read again: the copy fetched before its state turned completed may predate the finished attempt.
    job = await p.importQueue.getJob(`import-${largeId}`);
    expect(job?.attemptsMade).toBe(1);
  });
});
