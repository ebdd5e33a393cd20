import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { parse, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DOCUMENT_CACHE_BYTES, ParsedDocumentCache } from '../../services/api/graphql/document-cache.js';

/**
 * The probe's finding: Apollo's cache of parsed documents counts their JSON, far less than the heap they
 * hold, so 12,000 anonymous requests left 148 MB in old space. Measured here with the heap itself.
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const WEB = new URL('../../services/web/src', import.meta.url).pathname;
const webDocuments = readdirSync(WEB, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.graphql'))
  .map((file) => readFileSync(join(WEB, file), 'utf8'));

/** Distinct texts a client can send: the web app's own operations and small probes, each made unique. */
function documentText(index: number): string {
  const own = webDocuments[index % (webDocuments.length + 1)];
  return own === undefined ? `query Probe${index} { __typename a${index}: __typename }` : `# ${index}\n${own}`;
}

/** Heap that `count` documents kept by `store` hold, once garbage is collected. */
async function heapHeldBy(store: { set(key: string, document: DocumentNode): Promise<void> }, count: number): Promise<number> {
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let index = 0; index < count; index += 1) await store.set(`key-${index}`, parse(documentText(index)));
  gc();
  return process.memoryUsage().heapUsed - before;
}

describe("Apollo's parsed-document cache", () => {
  it('holds no more heap than its budget, whatever documents clients send', async () => {
    const store = new ParsedDocumentCache();
    const held = await heapHeldBy(store, 30_000);
    expect(store.bytes).toBeLessThanOrEqual(DOCUMENT_CACHE_BYTES);
    expect(held).toBeLessThan(DOCUMENT_CACHE_BYTES * 1.25);
  });

  it('is needed: the default cache, counting JSON, holds several times what it counts', async () => {
    const budget = 8 * 1024 * 1024;
    const store = new InMemoryLRUCache<DocumentNode>({ maxSize: budget });
    const held = await heapHeldBy(store, 30_000);
    expect(held).toBeGreaterThan(budget * 2);
  });
});
