import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dayFile, splitPlaysByDay } from '../../services/lake-export/plays-by-day.js';

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
const DAYS = new Set(['2026-03-01', '2026-03-02', '2026-04-09']);
const KEYS = new Map([['u1', 'key-of-u1'], ['u2', 'key-of-u2']]);
/** The record as written: its user id replaced by the key. */
const written = (record: string) => record.replace(/^(\d{4}-\d{2}-\d{2}),(u\d+),/, (_, day: string, user: string) => `${day},${KEYS.get(user) ?? user},`);
const chunked = (bytes: Buffer, size: number) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

describe('splitting COPY’s CSV of plays into one file per day', () => {
  it.each([1, 7, 64, 1 << 16])('writes each record whole to its day’s file, in chunks of %i bytes, a quoted newline included', async (chunkBytes) => {
    await pipeline(Readable.from(chunked(Buffer.from(records.join('')), chunkBytes)), splitPlaysByDay(dir, DAYS, KEYS));
    expect(await readFile(dayFile(dir, '2026-03-01'), 'utf8')).toBe(written(records[0]!) + written(records[2]!));
    expect(await readFile(dayFile(dir, '2026-03-02'), 'utf8')).toBe(written(records[1]!));
    expect(await readFile(dayFile(dir, '2026-04-09'), 'utf8')).toBe(written(records[3]!));
    expect(await readFile(dayFile(dir, '2026-03-02'), 'utf8')).toMatch(/^2026-03-02,key-of-u1,2026-03-02 10:00:00\+00,t2,1000,import,playlist,"spotify:playlist:a,""b""\nc",/);
    expect((await readdir(dir)).length).toBe(3);
  });

  it('keeps every record and its order within a day when days interleave past its buffers', async () => {
    const days = Array.from({ length: 300 }, (_, i) => new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10));
    // Long records (a long context) fill the buffers and make them write, many times over.
    const keys = new Map(Array.from({ length: 30_000 }, (_, i) => [`user${i}`, `k${i}`]));
    const lines = Array.from({ length: 30_000 }, (_, i) => `${days[i % days.length]},user${i},2020-01-01 00:00:00+00,t${i},,poll,playlist,spotify:playlist:${'x'.repeat(i % 7 === 0 ? 70_000 : 300)},2020-01-02 00:00:00+00\n`);
    await pipeline(Readable.from(chunked(Buffer.from(lines.join('')), 65_536)), splitPlaysByDay(dir, new Set(days), keys));
    for (const day of [days[0]!, days[123]!, days[299]!]) {
      const expected = lines.filter((line) => line.startsWith(day)).map((line) => line.replace(/^(.{10}),user(\d+),/, '$1,k$2,'));
      expect(await readFile(dayFile(dir, day), 'utf8')).toBe(expected.join(''));
    }
  });

  it('refuses a play of a day it was not told of, of a user it has no key for, and a record cut short', async () => {
    await expect(pipeline(Readable.from([Buffer.from(records[3]!)]), splitPlaysByDay(dir, new Set(['2026-03-01']), KEYS))).rejects.toThrow(
      'COPY sent a play of 2026-04-09, a day the lake run did not plan',
    );
    await expect(pipeline(Readable.from([Buffer.from(records[0]!.replace('u1', 'u9'))]), splitPlaysByDay(dir, DAYS, KEYS))).rejects.toThrow(
      'COPY sent a play of a user the lake run has no pseudonym for',
    );
    await expect(pipeline(Readable.from([Buffer.from(records[1]!.slice(0, 90))]), splitPlaysByDay(dir, DAYS, KEYS))).rejects.toThrow('COPY ended in the middle of a record');
  });
});
