import { describe, expect, it } from 'vitest';
import { JsonArrayError, MAX_ELEMENT_BYTES, jsonArrayElements } from '../../services/features/streaming-history/json-array-elements.js';

/** The scanner that splits a streaming history's JSON array into rows, fed as a file or an unzipped entry feeds it: in chunks cut anywhere. */
async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function read(text: string | Buffer, options: { chunk?: number; from?: number } = {}) {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const rows: Array<[number, unknown]> = [];
  let error: Error | null = null;
  try {
    for await (const batch of jsonArrayElements(chunksOf(bytes, options.chunk ?? 65_536), options.from)) {
      batch.values.forEach((value, i) => rows.push([batch.firstIndex + i, value]));
    }
  } catch (caught) {
    error = caught as Error;
  }
  return { rows, error };
}

const ROWS: unknown[] = [
  { ts: '2021-03-04T12:34:56Z', ms_played: 215000, master_metadata_track_name: 'Ünïcødé ✓ 日本語 🎵', spotify_track_uri: 'spotify:track:4uLU6hMCjMI75M1A2tKUQC' },
  { name: 'quotes " and \\ backslashes \\" and brackets ]}[{ inside strings', nested: { list: [1, [2, { three: '3' }]], empty: {} } },
  { quoted: 'a quote then a bracket: "]', path: 'C:\\Music\\' },
  42,
  -1.5e3,
  true,
  null,
  'a bare string, with a comma',
  [],
  { offline_timestamp: 0, skipped: false, escaped: '\u0000\n\t\u2028' },
];

describe('splitting a JSON array into its elements', () => {
  it('yields every element as JSON.parse reads it, wherever the chunks are cut (inside characters and escapes too)', async () => {
    const text = `\n[\n  ${ROWS.map((row) => JSON.stringify(row, null, 1)).join(' ,\n  ')}\n]\n`;
    const expected = ROWS.map((row, i) => [i, row]);
    for (const chunk of [1, 2, 3, 5, 7, 64, 65_536]) {
      expect(await read(text, { chunk }), `chunks of ${chunk} bytes`).toEqual({ rows: expected, error: null });
    }
  });

  it('starts at a row index without parsing the rows before it (a resumed import)', async () => {
    // Row 1 is not JSON, but it comes before the checkpoint: it is skipped unread.
    const { rows, error } = await read('[{"a":1}, {"b": nope}, {"c":3}, 4]', { chunk: 3, from: 2 });
    expect(error).toBeNull();
    expect(rows).toEqual([
      [2, { c: 3 }],
      [3, 4],
    ]);
  });

  it('reads an empty array, and skips a byte order mark', async () => {
    expect(await read(' [ ] ')).toEqual({ rows: [], error: null });
    expect(await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[1]')]))).toEqual({ rows: [[0, 1]], error: null });
  });

  it('yields the rows before a file breaks off, then says where it broke', async () => {
    const text = JSON.stringify(ROWS.slice(0, 2));
    const { rows, error } = await read(text.slice(0, -10), { chunk: 16 });
    expect(rows).toEqual([[0, ROWS[0]]]);
    expect(error).toBeInstanceOf(JsonArrayError);
    expect(error?.message).toBe('it ends in the middle of row 1');
    expect((await read('[1, 2')).error?.message).toBe('it ends in the middle of row 1');
    expect((await read('[1, 2 ')).error?.message).toBe('it ends before the array is closed');
  });

  it('names a row that is not JSON without quoting it (rows hold IP addresses)', async () => {
    const { rows, error } = await read('[{"ok": true}, {"ip_addr": "203.0.113.77" "x": 1}, {"never": "read"}]');
    expect(rows).toEqual([[0, { ok: true }]]);
    expect(error?.message).toBe('row 1 is not valid JSON');
  });

  it('refuses what is not one JSON array of values', async () => {
    const failures: Array<[string, string]> = [
      ['{"ts": "2021-03-04T12:34:56Z"}', 'it does not start with "["'],
      ['[1 2]', 'row 0 is not followed by "," or "]"'],
      ['[1,,2]', 'unexpected "," at byte 3'],
      ['[1,]', 'row 0 is followed by "," and then "]"'],
      ['[1] [2]', `there is more after the array's closing "]" (byte 4)`],
      ['[tru]', 'row 0 is not valid JSON'],
      ['', 'it ends before the array is closed'],
    ];
    for (const [text, message] of failures) expect((await read(text)).error?.message, text).toBe(message);
  });

  it('stops at a row too large to be a play instead of buffering it', async () => {
    const huge = `[{"a": 1}, {"name": "${'x'.repeat(MAX_ELEMENT_BYTES)}"}]`;
    const { rows, error } = await read(huge, { chunk: 65_536 });
    expect(rows).toEqual([[0, { a: 1 }]]);
    expect(error?.message).toBe(`row 1 is larger than ${MAX_ELEMENT_BYTES} bytes`);
  });
});
