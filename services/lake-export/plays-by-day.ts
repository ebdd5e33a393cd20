import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';

/**
 * Splits the plays' CSV, as COPY streams it, into one file per UTC day, whatever order Postgres sends the
 * rows in, so that each day becomes its Parquet file on its own, with memory bounded by one day's file
 * (DuckDB writing many days in one statement holds buffers for each of them). Each record starts with its
 * day ('YYYY-MM-DD,').
 */

/** Bytes a day buffers before they are appended to its file. */
const DAY_BUFFER_BYTES = 16 * 1024;
/** Bytes all days buffer at most: past it, every day's buffer is written out. */
const TOTAL_BUFFER_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const COMMA = 0x2c;

/** The CSV file of one day's plays in `dir`. */
export const dayFile = (dir: string, day: string) => join(dir, `plays-${day}.csv`);

/** Open files kept at once (the least recently written is closed past it). */
const OPEN_FILES = 128;

/**
 * Each day's records, buffered (at most TOTAL_BUFFER_BYTES in all) and appended to its file, with the
 * user's id replaced by its pseudonym. Writes are synchronous: this runs alone in a batch process, and a
 * promise per record would cost more than the write.
 */
class DayFiles {
  private readonly pending = new Map<string, { buffer: Buffer; used: number }>();
  /** Bytes held by the buffers of `pending`. */
  private buffered = 0;
  private readonly open = new Map<string, number>();
  private readonly keys: Map<string, Buffer>;

  constructor(
    private readonly dir: string,
    private readonly days: ReadonlySet<string>,
    userKeys: ReadonlyMap<string, string>,
  ) {
    this.keys = new Map([...userKeys].map(([id, key]) => [id, Buffer.from(key, 'latin1')]));
  }

  /** The last record's day and user, kept as bytes: consecutive records mostly share them, so most need no new string. */
  private readonly lastDayBytes = Buffer.alloc(10);
  private lastDay = '';
  private lastUserBytes = Buffer.alloc(0);
  private lastKey: Buffer | undefined;

  /** Takes one record: `day,user_id,rest`, written as `day,pseudonym,rest`. */
  add(record: Buffer): void {
    if (record.length < 11 || record[10] !== COMMA) throw new Error(`unexpected COPY output: a record that does not start with its day (${record.subarray(0, 40).toString()})`);
    const day = this.dayOf(record);
    const userEnd = record.indexOf(COMMA, 11);
    const key = userEnd < 0 ? undefined : this.keyOf(record, userEnd);
    if (!key) throw new Error(`COPY sent a play of a user the lake run has no pseudonym for`);
    const length = 11 + key.length + (record.length - userEnd);
    let entry = this.pending.get(day);
    if (entry && entry.used + length > entry.buffer.length) this.flush(day, entry);
    if (!entry) {
      entry = { buffer: Buffer.allocUnsafe(Math.max(DAY_BUFFER_BYTES, length)), used: 0 };
      this.pending.set(day, entry);
      this.buffered += entry.buffer.length;
    } else if (length > entry.buffer.length) {
      this.buffered += length - entry.buffer.length;
      entry.buffer = Buffer.allocUnsafe(length);
    }
    let at = entry.used + record.copy(entry.buffer, entry.used, 0, 11);
    at += key.copy(entry.buffer, at);
    entry.used = at + record.copy(entry.buffer, at, userEnd);
    if (this.buffered > TOTAL_BUFFER_BYTES) this.flushAll();
  }

  private dayOf(record: Buffer): string {
    if (this.lastDay === '' || !sameBytes(record, 0, this.lastDayBytes)) {
      const day = record.toString('latin1', 0, 10);
      if (!this.days.has(day)) throw new Error(`COPY sent a play of ${day}, a day the lake run did not plan`);
      record.copy(this.lastDayBytes, 0, 0, 10);
      this.lastDay = day;
    }
    return this.lastDay;
  }

  private keyOf(record: Buffer, userEnd: number): Buffer | undefined {
    if (userEnd - 11 !== this.lastUserBytes.length || !sameBytes(record, 11, this.lastUserBytes)) {
      this.lastKey = this.keys.get(record.toString('latin1', 11, userEnd));
      this.lastUserBytes = Buffer.from(record.subarray(11, userEnd));
    }
    return this.lastKey;
  }

  flushAll(): void {
    for (const [day, entry] of this.pending) this.flush(day, entry);
    this.pending.clear();
    this.buffered = 0;
  }

  close(): void {
    this.flushAll();
    for (const fd of this.open.values()) closeSync(fd);
    this.open.clear();
  }

  private flush(day: string, entry: { buffer: Buffer; used: number }): void {
    if (entry.used === 0) return;
    writeSync(this.fileOf(day), entry.buffer, 0, entry.used);
    entry.used = 0;
  }

  private fileOf(day: string): number {
    let fd = this.open.get(day);
    if (fd !== undefined) {
      // Most recently used last.
      this.open.delete(day);
    } else {
      if (this.open.size >= OPEN_FILES) {
        const [oldest, oldestFd] = this.open.entries().next().value as [string, number];
        closeSync(oldestFd);
        this.open.delete(oldest);
      }
      fd = openSync(dayFile(this.dir, day), 'a', 0o600);
    }
    this.open.set(day, fd);
    return fd;
  }
}

/**
 * A stream that takes COPY's CSV and appends each record to its day's file in `dir` (`dayFile`), the user's
 * id replaced by `userKeys.get(id)`; `days` are the days the lake run expects. A record is a line, unless a quoted field holds a newline (COPY quotes
 * such a field): an odd number of quotes so far means the record goes on.
 */
export function splitPlaysByDay(dir: string, days: ReadonlySet<string>, userKeys: ReadonlyMap<string, string>): Writable {
  const files = new DayFiles(dir, days, userKeys);
  let carry: Buffer | null = null;

  const take = (chunk: Buffer) => {
    const data: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = null;
    // The next quote at or after the current position, found once per quote, not once per record.
    let nextQuote = data.indexOf(QUOTE);
    const quotesBetween = (from: number, to: number) => {
      let count = 0;
      if (nextQuote >= 0 && nextQuote < from) nextQuote = data.indexOf(QUOTE, from);
      while (nextQuote >= 0 && nextQuote < to) {
        count++;
        nextQuote = data.indexOf(QUOTE, nextQuote + 1);
      }
      return count;
    };
    let start = 0;
    let end = data.indexOf(NEWLINE, start);
    while (end >= 0) {
      let quotes = quotesBetween(start, end);
      while (quotes % 2 === 1) {
        const next = data.indexOf(NEWLINE, end + 1);
        if (next < 0) break;
        quotes += quotesBetween(end + 1, next);
        end = next;
      }
      if (quotes % 2 === 1) break;
      files.add(data.subarray(start, end + 1));
      start = end + 1;
      end = data.indexOf(NEWLINE, start);
    }
    // Copied, so the rest does not hold the whole chunk in memory.
    if (start < data.length) carry = Buffer.from(data.subarray(start));
  };

  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        take(chunk);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    final(done) {
      const rest: Buffer | null = carry;
      if (rest !== null && rest.length > 0) {
        done(new Error('COPY ended in the middle of a record'));
        return;
      }
      try {
        files.close();
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    destroy(error, done) {
      try {
        files.close();
      } catch {
        // Already failing: the first error is the one to report.
      }
      done(error);
    },
  });
}

/** Whether `record` holds `bytes` at `offset`. */
function sameBytes(record: Buffer, offset: number, bytes: Buffer): boolean {
  if (offset + bytes.length > record.length) return false;
  for (let i = 0; i < bytes.length; i++) if (record[offset + i] !== bytes[i]) return false;
  return true;
}
