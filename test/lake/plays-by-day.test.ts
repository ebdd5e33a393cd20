import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planBatches, splitPlaysByDay } from '../../services/lake-export/plays-by-day.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'playlog-plays-by-day-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const records = [
  '2026-03-01,u1,2026-03-01 10:00:00+00,t1,,poll,,,2026-03-02 00:00:00+00\n',
  '2026-03-02,u1,2026-03-02 10:00:00+00,t2,1000,import,playlist,"spotify:playlist:a,""b""\nc",2026-03-02 00:00:00+00\n',
  '2026-03-01,u2,2026-03-01 11:00:00+00,t3,,poll,album,"",2026-03-02 00:00:00+00\n',
  '2026-04-09,u2,2026-04-09 11:00:00+00,t4,,poll,,,2026-04-10 00:00:00+00\n',
];

describe('splitting COPY’s CSV of plays into batches of whole days', () => {
  it('groups consecutive days up to the batch size, a day never split, days with no play left out', () => {
    const batches = planBatches(new Map([['2026-03-02', 200_000], ['2026-03-01', 40_000], ['2026-03-03', 0], ['2026-03-04', 300_000], ['2026-03-05', 1]]), dir);
    expect(batches.map((batch) => batch.days)).toEqual([['2026-03-01', '2026-03-02'], ['2026-03-04'], ['2026-03-05']]);
  });

  it.each([1, 7, 64, 1 << 16])('writes each record whole to its day’s batch, in chunks of %i bytes, a quoted newline included', async (chunkBytes) => {
    // What the daily counts would say (a big day is a batch of its own); the records stand for a few of each.
    const batches = planBatches(new Map([['2026-03-01', 2], ['2026-03-02', 1], ['2026-04-09', 300_000]]), dir);
    expect(batches.map((batch) => batch.days)).toEqual([['2026-03-01', '2026-03-02'], ['2026-04-09']]);
    const all = Buffer.from(records.join(''));
    const chunks = Array.from({ length: Math.ceil(all.length / chunkBytes) }, (_, i) => all.subarray(i * chunkBytes, (i + 1) * chunkBytes));
    await pipeline(Readable.from(chunks), splitPlaysByDay(batches));
    expect(await readFile(batches[0]!.path, 'utf8')).toBe(records[0]! + records[1]! + records[2]!);
    expect(await readFile(batches.at(-1)!.path, 'utf8')).toBe(records[3]);
    expect((await readdir(dir)).sort()).toEqual(batches.map((batch) => batch.path.split('/').at(-1)).sort());
  });

  it('refuses a play of a day it did not plan, and a record cut short', async () => {
    const batches = planBatches(new Map([['2026-03-01', 1]]), dir);
    await expect(pipeline(Readable.from([Buffer.from(records[3]!)]), splitPlaysByDay(batches))).rejects.toThrow('COPY sent a play of 2026-04-09, a day the export did not plan');
    const again = planBatches(new Map([['2026-03-02', 1]]), await mkdtemp(join(dir, 'again-')));
    await expect(pipeline(Readable.from([Buffer.from(records[1]!.slice(0, 90))]), splitPlaysByDay(again))).rejects.toThrow('COPY ended in the middle of a record');
  });
});
