/**
 * A strict RFC 4180 reader for tests: records end with CRLF, a field is either bare (no quote, comma, CR
 * or LF in it) or quoted with its quotes doubled. Anything else throws, so a malformed file cannot pass.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let index = 0;
  const fail = (why: string): never => {
    throw new Error(`not RFC 4180 at character ${index}: ${why}`);
  };
  while (index < text.length) {
    let field = '';
    if (text[index] === '"') {
      index++;
      for (;;) {
        if (index >= text.length) fail('unterminated quoted field');
        const char = text[index]!;
        if (char === '"') {
          if (text[index + 1] === '"') {
            field += '"';
            index += 2;
            continue;
          }
          index++;
          break;
        }
        field += char;
        index++;
      }
    } else {
      while (index < text.length && text[index] !== ',' && text[index] !== '\r' && text[index] !== '\n') {
        if (text[index] === '"') fail('quote inside a bare field');
        field += text[index];
        index++;
      }
    }
    record.push(field);
    if (text[index] === ',') {
      index++;
      continue;
    }
    if (text.startsWith('\r\n', index)) {
      index += 2;
      records.push(record);
      record = [];
      continue;
    }
    fail(index >= text.length ? 'the last record has no CRLF' : `unexpected ${JSON.stringify(text[index])}`);
  }
  return records;
}
