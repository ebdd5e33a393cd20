import { LRUCache } from 'lru-cache';

/**
 * How much memory remembered operation costs may take in all. Keys are what clients choose (query text
 * hashes, operation names, variable values), so the cap is on their bytes, not on their number: no
 * sequence of requests, however varied, makes the cache hold more.
 */
export const COST_CACHE_BYTES = 1024 * 1024;

/** Keys longer than this are not remembered (the cost is estimated again): they would crowd out ordinary ones. */
export const MAX_COST_KEY_LENGTH = 512;

// A string key is about two bytes per character; the entry, its number and the LRU's links about this much more.
const ENTRY_OVERHEAD_BYTES = 64;

/** Estimated operation costs, least recently used first out once the byte budget is reached. */
export class CostCache {
  private readonly entries: LRUCache<string, number>;

  constructor(maxBytes = COST_CACHE_BYTES) {
    this.entries = new LRUCache<string, number>({ maxSize: maxBytes, sizeCalculation: (_value, key) => key.length * 2 + ENTRY_OVERHEAD_BYTES });
  }

  get(key: string): number | undefined {
    return this.entries.get(key);
  }

  set(key: string, cost: number): void {
    if (key.length <= MAX_COST_KEY_LENGTH) this.entries.set(key, cost);
  }

  /** Bytes the entries are counted as: never more than the budget. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }
}

/** One operation of one query text with these variable values (`variables` is already a short canonical string). */
export const costCacheKey = (queryHash: string, operationName: string, variables: string): string => `${queryHash}|${operationName}|${variables}`;
