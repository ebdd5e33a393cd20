import { createReadStream } from 'node:fs';
import { open as openFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { parseStreamingHistoryRow, type ParsedRow } from './streaming-history-row.js';
import { jsonArrayElements } from './json-array-elements.js';
import { jsonLines } from './json-lines.js';
import { parseListenBrainzExportLine } from './listenbrainz-export-row.js';

/** Where a row sits in a streaming history: the audio file's index (in name order) and the row's index in it. */
export interface StreamingHistoryPosition {
  entry: number;
  row: number;
}

/** A row of a streaming history as read: where it is, and what parsing made of it (the private fields already dropped). */
export interface StreamingHistoryRow extends StreamingHistoryPosition {
  /** The file the row came from, for messages (`Streaming_History_Audio_2021_3.json`). */
  file: string;
  parsed: ParsedRow;
}

/** A file of the streaming history that could not be read as JSON (the rest of it still is). */
export class StreamingHistoryFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'StreamingHistoryFileError';
  }
}

/**
 * The streaming history as a whole cannot be imported: not a readable zip, or larger than one can be. Nothing
 * later in it can be reached, so the import fails, once, with this message for the user.
 */
export class StreamingHistoryRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamingHistoryRefusedError';
  }
}

/** What a streaming history may hold before it is refused unread (docs/import.md, "Limits"). */
export interface StreamingHistoryLimits {
  /** Entries of a zip, of any kind (Spotify's hold a few dozen). */
  maxEntries: number;
  /** Bytes its audio files expand to (a JSON upload: its size). */
  maxExpandedBytes: number;
}

// Spotify's current streaming history names its audio files Streaming_History_Audio_<years>_<n>.json; older ones endsong_<n>.json.
// Video history (Streaming_History_Video_*) and the ReadMe are not plays of tracks.
const AUDIO_FILE = /(^|\/)(Streaming_History_Audio[^/]*|endsong_\d+)\.json$/i;
// A ListenBrainz export (ListenBrainz, Koito, Maloja, Playlog): one JSON listen per line, listens/<year>/<month>.jsonl.
const LISTENS_FILE = /\.jsonl$/i;
const isListensFile = (name: string): boolean => LISTENS_FILE.test(name);

/**
 * Streams the rows of a streaming history — a zip as Spotify sends it, or one of its JSON files — from `from` on, in
 * batches of consecutive rows (one per chunk read, about a hundred rows): a file of hundreds of MB is never
 * held in memory. Each array element is parsed on its own (json-array-elements.ts) and reduced at once to
 * what is kept (streaming-history-row.ts), so the raw row, private fields included, never leaves this module. The
 * caller's `for await` applies back-pressure down to the disk read.
 *
 * A zip's directory is read entry by entry, keeping only the audio files' entries; one with more entries,
 * or audio files that expand to more bytes, than `limits` allow is refused before a row is read
 * (StreamingHistoryRefusedError), as is a file that is not a readable zip. A file of the zip that is not JSON, or
 * whose data is corrupt, is an StreamingHistoryFileError: the caller records it and continues with the next file.
 */
export async function* readStreamingHistory(filePath: string, limits: StreamingHistoryLimits, from: StreamingHistoryPosition = { entry: 0, row: 0 }): AsyncGenerator<StreamingHistoryRow[]> {
  if (await isZip(filePath)) {
    const zip = await openZip(filePath);
    try {
      const entries = await audioEntries(zip, limits);
      for (let index = from.entry; index < entries.length; index++) {
        const entry = entries[index]!;
        const file = baseName(entry.fileName);
        const stream = await new Promise<Readable>((resolve, reject) =>
          zip.openReadStream(entry, (error, readable) => (error ? reject(new StreamingHistoryFileError(file, `${file} cannot be read from the zip: ${error.message}`)) : resolve(readable))),
        );
        const fromRow = index === from.entry ? from.row : 0;
        yield* isListensFile(entry.fileName) ? readListens(stream, file, index, fromRow) : readJsonArray(stream, file, index, fromRow);
      }
    } finally {
      zip.close();
    }
  } else if (from.entry === 0) {
    const { size } = await stat(filePath);
    if (size > limits.maxExpandedBytes) throw new StreamingHistoryRefusedError(`The file is ${size} bytes, more than a streaming history holds (${limits.maxExpandedBytes} bytes, IMPORT_MAX_EXPANDED_BYTES).`);
    const listens = (await firstByte(filePath)) === '{';
    yield* listens ? readListens(createReadStream(filePath), baseName(filePath), 0, from.row) : readJsonArray(createReadStream(filePath), baseName(filePath), 0, from.row);
  }
}

/** The lines of a ListenBrainz export, each parsed as a listen (listenbrainz-export-row.ts). */
async function* readListens(source: Readable, file: string, entry: number, fromRow: number): AsyncGenerator<StreamingHistoryRow[]> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  try {
    for await (const batch of jsonLines(source, fromRow)) {
      // Blank lines (a file's trailing ones) are not rows.
      const rows = batch.lines.map((line, i) => ({ entry, row: batch.firstIndex + i, file, line })).filter((row) => row.line !== '');
      if (rows.length > 0) yield rows.map(({ line, ...row }) => ({ ...row, parsed: parseListenBrainzExportLine(line, nowSeconds) }));
    }
  } catch (error) {
    throw new StreamingHistoryFileError(file, `${file} is not a ListenBrainz export of JSON lines: ${(error as Error).message}`);
  } finally {
    source.destroy();
  }
}

/** The file's first character that is not white space: `[` begins Spotify's JSON array, `{` a file of JSON lines. */
async function firstByte(filePath: string): Promise<string> {
  const handle = await openFile(filePath, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4_096), 0, 4_096, 0);
    return /\S/.exec(buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, ''))?.[0] ?? '';
  } finally {
    await handle.close();
  }
}

async function* readJsonArray(source: Readable, file: string, entry: number, fromRow: number): AsyncGenerator<StreamingHistoryRow[]> {
  try {
    for await (const batch of jsonArrayElements(source, fromRow)) {
      yield batch.values.map((value, i) => ({ entry, row: batch.firstIndex + i, file, parsed: parseStreamingHistoryRow(value) }));
    }
  } catch (error) {
    throw new StreamingHistoryFileError(file, `${file} is not a JSON array of plays: ${(error as Error).message}`);
  } finally {
    source.destroy();
  }
}

async function isZip(filePath: string): Promise<boolean> {
  const handle = await openFile(filePath, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    return bytesRead === 4 && buffer.readUInt32LE(0) === 0x04034b50;
  } finally {
    await handle.close();
  }
}

function openZip(filePath: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(filePath, { lazyEntries: true, autoClose: false }, (error, zip) => (error ? reject(new StreamingHistoryRefusedError(`The file is not a readable zip: ${error.message}.`)) : resolve(zip))),
  );
}

/**
 * The zip's audio files, in name order. The count its directory declares is checked before any entry is
 * read, and the entries are then read one at a time, only audio files kept: an archive of a million
 * entries is refused in a moment and in constant memory.
 */
function audioEntries(zip: yauzl.ZipFile, limits: StreamingHistoryLimits): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const refuse = (message: string) => {
      zip.removeAllListeners('entry');
      reject(new StreamingHistoryRefusedError(message));
    };
    const tooMany = `The zip holds more than ${limits.maxEntries} files (IMPORT_MAX_ARCHIVE_ENTRIES), far more than a Spotify streaming history: it is not one.`;
    if (zip.entryCount > limits.maxEntries) return refuse(tooMany);
    const entries: yauzl.Entry[] = [];
    let seen = 0;
    let expanded = 0;
    zip.on('entry', (entry: yauzl.Entry) => {
      if (++seen > limits.maxEntries) return refuse(tooMany);
      if (AUDIO_FILE.test(entry.fileName) || isListensFile(entry.fileName)) {
        expanded += entry.uncompressedSize;
        if (expanded > limits.maxExpandedBytes) {
          return refuse(`The zip's listening history expands to more than ${limits.maxExpandedBytes} bytes (IMPORT_MAX_EXPANDED_BYTES), more than a streaming history holds.`);
        }
        entries.push(entry);
      }
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries.sort((a, b) => a.fileName.localeCompare(b.fileName))));
    zip.once('error', (error: Error) => refuse(`The zip's directory cannot be read: ${error.message}.`));
    zip.readEntry();
  });
}

const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path;
