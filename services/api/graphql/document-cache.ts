import type { DocumentNode } from 'graphql';
import { LRUCache } from 'lru-cache';

/**
 * Heap that Apollo's parsed and validated documents may take in all (one per distinct query text). Clients
 * choose the texts, so the budget is in bytes of heap, as measured, not in entries.
 */
export const DOCUMENT_CACHE_BYTES = 16 * 1024 * 1024;

/**
 * Heap bytes a parsed document occupies per byte of its JSON form. Apollo's default cache counts the JSON,
 * which leaves out each document's chain of lexer tokens (its locations keep them alive): measured with
 * process.memoryUsage() over thousands of documents, a document took 2.9 to 4.3 times its JSON size
 * (test/security/document-cache.test.ts checks the budget holds).
 */
const HEAP_BYTES_PER_JSON_BYTE = 5;

/** Apollo's documentStore: least recently used first out once the documents' measured heap reaches the budget. */
export class ParsedDocumentCache {
  private readonly documents: LRUCache<string, DocumentNode>;

  constructor(maxBytes = DOCUMENT_CACHE_BYTES) {
    this.documents = new LRUCache<string, DocumentNode>({
      maxSize: maxBytes,
      sizeCalculation: (document, key) => HEAP_BYTES_PER_JSON_BYTE * Buffer.byteLength(JSON.stringify(document)) + key.length * 2,
    });
  }

  async get(key: string): Promise<DocumentNode | undefined> {
    return this.documents.get(key);
  }

  async set(key: string, document: DocumentNode): Promise<void> {
    this.documents.set(key, document);
  }

  async delete(key: string): Promise<boolean> {
    return this.documents.delete(key);
  }

  /** Bytes the documents are counted as: never more than the budget. */
  get bytes(): number {
    return this.documents.calculatedSize;
  }
}
