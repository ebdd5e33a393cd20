/** Consecutive elements of a top-level JSON array: `values[i]` is element `firstIndex + i`. */
export interface JsonArrayBatch {
  firstIndex: number;
  values: unknown[];
}

/** The input is not a JSON array, or one of its elements is not JSON. The message never quotes the input. */
export class JsonArrayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonArrayError';
  }
}

/** Far above any row of a real streaming history: an element this large is not a play, and is not buffered further. */
export const MAX_ELEMENT_BYTES = 1024 * 1024;

/**
 * Streams the elements of a top-level JSON array (`[{…}, {…}, …]`) from a byte stream: one batch per
 * chunk read, holding the elements that chunk completed.
 *
 * Why not a token-level streaming parser (stream-json, used before): it builds each element from a stream
 * of token objects and regex matches, many times the input in garbage, which made a worker's V8 heap grow
 * far past its live data (docs/import.md, "Memory", has the figures). Here the bytes
 * are only scanned for where each element ends (brackets, braces and quotes outside strings: all ASCII, so
 * UTF-8 needs no decoding for this), and each element is decoded and parsed on its own by the native
 * `JSON.parse`. That allocates far less, and batches keep the async iteration to one step per chunk
 * rather than per row. Elements before `fromIndex` are scanned past without being decoded or parsed.
 *
 * A problem throws a JsonArrayError once the elements before it were yielded: input that is not an array,
 * an element that is not JSON, a missing comma, data after the array, input that ends before the array
 * closes (a truncated file), or an element over MAX_ELEMENT_BYTES.
 */
export async function* jsonArrayElements(source: AsyncIterable<Buffer>, fromIndex = 0): AsyncGenerator<JsonArrayBatch> {
  const splitter = new JsonArraySplitter(fromIndex);
  for await (const chunk of source) {
    // Elements are consecutive from here (the ones before fromIndex are not kept).
    const firstIndex = Math.max(splitter.nextIndex, fromIndex);
    const values: unknown[] = [];
    let error: unknown = null;
    try {
      splitter.push(chunk, values);
    } catch (caught) {
      error = caught;
    }
    // On an error too: the elements before it are the caller's.
    if (values.length > 0) yield { firstIndex, values };
    if (error) throw error;
  }
  splitter.end();
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
// A UTF-8 byte order mark, skipped at the very start (some editors write one).
const BOM = [0xef, 0xbb, 0xbf];
const isWhitespace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** The scanner itself: fed chunk by chunk, it appends each element it completes to `out`. */
class JsonArraySplitter {
  /** Index of the next element to complete. */
  nextIndex = 0;
  private state: 'before' | 'items' | 'after' = 'before';
  private expectValue = true;
  private empty = true;
  private offset = 0;
  // The element being read: its bytes in earlier chunks (only when it will be parsed), their size, its nesting.
  private inElement = false;
  private parts: Buffer[] = [];
  private size = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly fromIndex: number) {}

  push(chunk: Buffer, out: unknown[]): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.inElement) {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (byte === BACKSLASH) this.escaped = true;
          else if (byte === QUOTE) {
            this.inString = false;
            if (this.depth === 0) this.finish(chunk, start, i + 1, out);
          }
        } else if (byte === QUOTE) this.inString = true;
        else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.depth++;
        else if ((byte === CLOSE_BRACE || byte === CLOSE_BRACKET) && this.depth > 0) {
          if (--this.depth === 0) this.finish(chunk, start, i + 1, out);
        } else if (this.depth === 0 && (byte === COMMA || byte === CLOSE_BRACKET || isWhitespace(byte))) {
          // The end of a bare number, true, false or null: its delimiter is read again, outside the element.
          this.finish(chunk, start, i, out);
          i--;
        }
        continue;
      }
      const position = this.offset + i;
      if (isWhitespace(byte) || (this.state === 'before' && position < BOM.length && byte === BOM[position])) continue;
      if (this.state === 'before') {
        if (byte !== OPEN_BRACKET) throw new JsonArrayError('it does not start with "["');
        this.state = 'items';
      } else if (this.state === 'after') {
        throw new JsonArrayError(`there is more after the array's closing "]" (byte ${position})`);
      } else if (byte === CLOSE_BRACKET) {
        if (this.expectValue && !this.empty) throw new JsonArrayError(`row ${this.nextIndex - 1} is followed by "," and then "]"`);
        this.state = 'after';
      } else if (byte === COMMA) {
        if (this.expectValue) throw new JsonArrayError(`unexpected "," at byte ${position}`);
        this.expectValue = true;
      } else {
        if (!this.expectValue) throw new JsonArrayError(`row ${this.nextIndex - 1} is not followed by "," or "]"`);
        this.expectValue = false;
        this.empty = false;
        this.inElement = true;
        start = i;
        this.depth = byte === OPEN_BRACE || byte === OPEN_BRACKET ? 1 : 0;
        this.inString = byte === QUOTE;
        this.escaped = false;
      }
    }
    if (this.inElement) {
      this.size += chunk.length - start;
      if (this.size > MAX_ELEMENT_BYTES) throw new JsonArrayError(`row ${this.nextIndex} is larger than ${MAX_ELEMENT_BYTES} bytes`);
      if (this.nextIndex >= this.fromIndex) this.parts.push(chunk.subarray(start));
    }
    this.offset += chunk.length;
  }

  /** The input has ended: it must have closed the array. */
  end(): void {
    if (this.inElement) throw new JsonArrayError(`it ends in the middle of row ${this.nextIndex}`);
    if (this.state !== 'after') throw new JsonArrayError('it ends before the array is closed');
  }

  private finish(chunk: Buffer, start: number, end: number, out: unknown[]): void {
    const index = this.nextIndex++;
    const size = this.size + end - start;
    const earlier = this.parts;
    this.inElement = false;
    this.parts = [];
    this.size = 0;
    if (size > MAX_ELEMENT_BYTES) throw new JsonArrayError(`row ${index} is larger than ${MAX_ELEMENT_BYTES} bytes`);
    if (index < this.fromIndex) return;
    const text = earlier.length === 0 ? chunk.toString('utf8', start, end) : Buffer.concat([...earlier, chunk.subarray(start, end)]).toString('utf8');
    try {
      out.push(JSON.parse(text));
    } catch {
      // JSON.parse's own message quotes the input, which may hold an IP address: it is not passed on.
      throw new JsonArrayError(`row ${index} is not valid JSON`);
    }
  }
}
