import { MAX_ELEMENT_BYTES } from './json-array-elements.js';

/** Consecutive lines of a file of JSON lines: `lines[i]` is line `firstIndex + i` (0-based), trimmed. */
export interface JsonLinesBatch {
  firstIndex: number;
  lines: string[];
}

const NEWLINE = 0x0a;

/**
 * Streams the lines of a JSON Lines file from a byte stream: one batch per chunk read, holding the lines
 * that chunk completed (a last line without a newline comes at the end). Lines before `fromIndex` are
 * scanned past without being decoded. Only the line being read is buffered, and one longer than
 * MAX_ELEMENT_BYTES throws (a listen is a few hundred bytes): a file without newlines is not held in memory.
 */
export async function* jsonLines(source: AsyncIterable<Buffer>, fromIndex = 0): AsyncGenerator<JsonLinesBatch> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let index = 0;
  const decode = (parts: Buffer[]) => Buffer.concat(parts).toString('utf8').replace(/^\uFEFF/, '').trim();
  for await (const chunk of source) {
    const lines: string[] = [];
    const firstIndex = Math.max(index, fromIndex);
    let start = 0;
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
      if (index >= fromIndex) lines.push(decode([...pending, chunk.subarray(start, at)]));
      pending = [];
      pendingBytes = 0;
      index++;
      start = at + 1;
    }
    if (start < chunk.length) {
      pendingBytes += chunk.length - start;
      if (pendingBytes > MAX_ELEMENT_BYTES) throw new Error(`line ${index + 1} is longer than ${MAX_ELEMENT_BYTES} bytes: not a listen`);
      // Lines to be skipped are not kept: only their length matters.
      if (index >= fromIndex) pending.push(chunk.subarray(start));
    }
    if (lines.length > 0) yield { firstIndex, lines };
  }
  if (pendingBytes > 0 && index >= fromIndex) {
    const last = decode(pending);
    if (last !== '') yield { firstIndex: index, lines: [last] };
  }
}
