import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';

/**
 * Splits the plays' CSV, as COPY streams it, into a few files of whole days ("batches"), so that each can
 * be turned into one Parquet file per day with memory bounded by the batch, whatever the export's size
 * and in whatever order Postgres sends the rows. Each record starts with its UTC day ('YYYY-MM-DD,').
 */

/** Plays one batch holds at most (a day with more is a batch of its own): what DuckDB holds at once. */
const BATCH_PLAYS = 250_000;
/** Bytes buffered per batch file before they are written. */
const BUFFER_BYTES = 256 * 1024;
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const COMMA = 0x2c;

export interface PlaysBatch {
  /** The batch's CSV. */
  path: string;
  /** Its days, in order ('YYYY-MM-DD'). */
  days: string[];
}

/** Consecutive days, grouped while they hold at most BATCH_PLAYS plays; days with no play are left out. */
export function planBatches(dayPlays: ReadonlyMap<string, number>, dir: string): PlaysBatch[] {
  const batches: Array<PlaysBatch & { plays: number }> = [];
  for (const [day, plays] of [...dayPlays].sort(([a], [b]) => a.localeCompare(b))) {
    if (plays === 0) continue;
    const current = batches.at(-1);
    if (current && current.plays + plays <= BATCH_PLAYS) {
      current.days.push(day);
      current.plays += plays;
    } else {
      batches.push({ path: join(dir, `plays-${batches.length}.csv`), days: [day], plays });
    }
  }
  return batches.map(({ path, days }) => ({ path, days }));
}

/** Where records go: each to its day's batch file, through a buffer per file. */
class BatchFiles {
  private readonly batchOfDay = new Map<string, number>();
  private readonly files: Array<{ path: string; handle?: FileHandle; buffer: Buffer; used: number }>;

  constructor(batches: readonly PlaysBatch[]) {
    this.files = batches.map((batch) => ({ path: batch.path, buffer: Buffer.allocUnsafe(BUFFER_BYTES), used: 0 }));
    batches.forEach((batch, index) => batch.days.forEach((day) => this.batchOfDay.set(day, index)));
  }

  async add(record: Buffer): Promise<void> {
    if (record.length < 11 || record[10] !== COMMA) throw new Error(`unexpected COPY output: a record that does not start with its day (${record.subarray(0, 40).toString()})`);
    const day = record.toString('latin1', 0, 10);
    const index = this.batchOfDay.get(day);
    if (index === undefined) throw new Error(`COPY sent a play of ${day}, a day the export did not plan`);
    const file = this.files[index]!;
    if (file.used + record.length > BUFFER_BYTES) await this.flush(file);
    if (record.length > BUFFER_BYTES) await this.handleOf(file).then((handle) => handle.write(record));
    else file.used += record.copy(file.buffer, file.used);
  }

  async close(): Promise<void> {
    for (const file of this.files) {
      await this.flush(file);
      await (await this.handleOf(file)).close();
      file.handle = undefined;
    }
  }

  async abort(): Promise<void> {
    await Promise.all(this.files.map((file) => (file.handle ? file.handle.close().catch(() => undefined) : Promise.resolve())));
  }

  private async flush(file: (typeof this.files)[number]): Promise<void> {
    if (file.used === 0) return;
    await (await this.handleOf(file)).write(file.buffer, 0, file.used);
    file.used = 0;
  }

  private async handleOf(file: (typeof this.files)[number]): Promise<FileHandle> {
    file.handle ??= await open(file.path, 'wx', 0o600);
    return file.handle;
  }
}

/**
 * A stream that takes COPY's CSV and writes each record to its batch's file. A record is a line, unless a
 * quoted field holds a newline (COPY quotes such a field): an odd number of quotes so far means the record
 * goes on.
 */
export function splitPlaysByDay(batches: readonly PlaysBatch[]): Writable {
  const files = new BatchFiles(batches);
  let carry: Buffer | null = null;

  const take = async (chunk: Buffer) => {
    const data: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    carry = null;
    let start = 0;
    let end = data.indexOf(NEWLINE, start);
    while (end >= 0) {
      let quotes = countQuotes(data, start, end);
      while (quotes % 2 === 1) {
        const next = data.indexOf(NEWLINE, end + 1);
        if (next < 0) break;
        quotes += countQuotes(data, end + 1, next);
        end = next;
      }
      if (quotes % 2 === 1) break;
      await files.add(data.subarray(start, end + 1));
      start = end + 1;
      end = data.indexOf(NEWLINE, start);
    }
    // Copied, so the rest does not hold the whole chunk in memory.
    if (start < data.length) carry = Buffer.from(data.subarray(start));
  };

  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      take(chunk).then(() => done(), done);
    },
    final(done) {
      const rest: Buffer | null = carry;
      if (rest !== null && rest.length > 0) {
        done(new Error('COPY ended in the middle of a record'));
        return;
      }
      files.close().then(() => done(), done);
    },
    destroy(error, done) {
      files.abort().then(() => done(error), () => done(error));
    },
  });
}

function countQuotes(data: Buffer, from: number, to: number): number {
  let count = 0;
  for (let at = data.indexOf(QUOTE, from); at >= 0 && at < to; at = data.indexOf(QUOTE, at + 1)) count++;
  return count;
}
