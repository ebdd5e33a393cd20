import { createReadStream } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { parseExportRow, type ParsedRow } from './export-row.js';
import { jsonArrayElements } from './json-array-elements.js';

/** Where a row sits in an export: the audio file's index (in name order) and the row's index in it. */
export interface ExportPosition {
  entry: number;
  row: number;
}

/** A row of an export as read: where it is, and what parsing made of it (the private fields already dropped). */
export interface ExportRow extends ExportPosition {
  /** The file the row came from, for messages (`Streaming_History_Audio_2021_3.json`). */
  file: string;
  parsed: ParsedRow;
}

/** A file of the export that could not be read as JSON (the rest of the export still is). */
export class ExportFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'ExportFileError';
  }
}

// Spotify's current export names its audio files Streaming_History_Audio_<years>_<n>.json; older ones endsong_<n>.json.
// Video history (Streaming_History_Video_*) and the ReadMe are not plays of tracks.
const AUDIO_FILE = /(^|\/)(Streaming_History_Audio[^/]*|endsong_\d+)\.json$/i;

/**
 * Streams the rows of an export — a zip as Spotify sends it, or one of its JSON files — from `from` on, in
 * batches of consecutive rows (one per chunk read, about a hundred rows): a file of hundreds of MB is never
 * held in memory. Each array element is parsed on its own (json-array-elements.ts) and reduced at once to
 * what is kept (export-row.ts), so the raw row, private fields included, never leaves this module. The
 * caller's `for await` applies back-pressure down to the disk read.
 */
export async function* readExport(filePath: string, from: ExportPosition = { entry: 0, row: 0 }): AsyncGenerator<ExportRow[]> {
  if (await isZip(filePath)) {
    const zip = await openZip(filePath);
    try {
      const entries = (await listEntries(zip)).filter((entry) => AUDIO_FILE.test(entry.fileName)).sort((a, b) => a.fileName.localeCompare(b.fileName));
      for (let index = from.entry; index < entries.length; index++) {
        const entry = entries[index]!;
        const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (error, readable) => (error ? reject(error) : resolve(readable))));
        yield* readJsonArray(stream, baseName(entry.fileName), index, index === from.entry ? from.row : 0);
      }
    } finally {
      zip.close();
    }
  } else if (from.entry === 0) {
    yield* readJsonArray(createReadStream(filePath), baseName(filePath), 0, from.row);
  }
}

async function* readJsonArray(source: Readable, file: string, entry: number, fromRow: number): AsyncGenerator<ExportRow[]> {
  try {
    for await (const batch of jsonArrayElements(source, fromRow)) {
      yield batch.values.map((value, i) => ({ entry, row: batch.firstIndex + i, file, parsed: parseExportRow(value) }));
    }
  } catch (error) {
    throw new ExportFileError(file, `${file} is not a JSON array of plays: ${(error as Error).message}`);
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
    yauzl.open(filePath, { lazyEntries: true, autoClose: false }, (error, zip) => (error ? reject(new ExportFileError(baseName(filePath), `not a readable zip: ${error.message}`)) : resolve(zip))),
  );
}

function listEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}

const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path;
