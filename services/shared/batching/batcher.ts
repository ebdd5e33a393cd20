/** More work is waiting for a batch than the batcher keeps: the caller is answered busy, to try again. */
export class BatcherFullError extends Error {
  readonly retryAfterSeconds = 1;
  constructor(what: string) {
    super(`Too many ${what} are waiting right now.`);
    this.name = 'BatcherFullError';
  }
}

export interface BatcherOptions<Item, Result> {
  /** What waits, for the busy answer: "listens to store". */
  what: string;
  /** Does a batch's work: one result per item, in order. */
  run: (items: readonly Item[]) => Promise<Result[]>;
  /**
   * Does one item's work on its own: after a batch of several failed, each of its items is tried alone, so
   * one item's failure is only its own. Without it, every item of a failed batch gets the batch's failure.
   */
  runAlone?: (item: Item) => Promise<Result>;
  /** Whether a batch's failure is worth trying its items alone (not when it ran out of time). */
  retryAlone?: (error: unknown) => boolean;
  /** An item's weight against maxSize and maxWaiting (1 when absent). */
  sizeOf?: (item: Item) => number;
  /** Items of one key never share a batch: they run one per batch, in the order they came. */
  keyOf?: (item: Item) => string;
  /** Weight of one batch, at most. */
  maxSize: number;
  /** Batches running at once, at most. */
  maxRunning: number;
  /** Weight waiting for a batch, at most; beyond it an item is refused (BatcherFullError). */
  maxWaiting: number;
}

interface Waiting<Item, Result> {
  item: Item;
  size: number;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

/**
 * Many small requests' work done a batch at a time, with no timer: with fewer than maxRunning batches running,
 * an item's batch starts at once (alone, when nothing else waits); while they run, the items that arrive wait,
 * and the next batch takes all of them (up to maxSize). Under load each item waits for at most the batches
 * already running, and the per-statement work (a round trip, a plan, triggers, a commit) is shared by the batch.
 * Each caller is answered with its own item's result.
 */
export class Batcher<Item, Result> {
  private waiting: Array<Waiting<Item, Result>> = [];
  private waitingSize = 0;
  private running = 0;

  constructor(private readonly options: BatcherOptions<Item, Result>) {}

  do(item: Item): Promise<Result> {
    const size = this.options.sizeOf?.(item) ?? 1;
    if (this.waitingSize + size > this.options.maxWaiting) return Promise.reject(new BatcherFullError(this.options.what));
    return new Promise<Result>((resolve, reject) => {
      this.waiting.push({ item, size, resolve, reject });
      this.waitingSize += size;
      this.startBatches();
    });
  }

  private startBatches(): void {
    while (this.running < this.options.maxRunning && this.waiting.length > 0) {
      const batch = this.nextBatch();
      this.running += 1;
      void this.runBatch(batch).finally(() => {
        this.running -= 1;
        this.startBatches();
      });
    }
  }

  /** The waiting items in arrival order, up to maxSize, one per key (a key's next waits for the next batch). */
  private nextBatch(): Array<Waiting<Item, Result>> {
    const batch: Array<Waiting<Item, Result>> = [];
    const left: Array<Waiting<Item, Result>> = [];
    const keys = new Set<string>();
    let size = 0;
    let full = false;
    for (const entry of this.waiting) {
      full ||= batch.length > 0 && size + entry.size > this.options.maxSize;
      const key = this.options.keyOf?.(entry.item);
      if (full || (key !== undefined && keys.has(key))) {
        left.push(entry);
        continue;
      }
      if (key !== undefined) keys.add(key);
      size += entry.size;
      batch.push(entry);
    }
    this.waiting = left;
    this.waitingSize -= size;
    return batch;
  }

  private async runBatch(batch: Array<Waiting<Item, Result>>): Promise<void> {
    try {
      const results = await this.options.run(batch.map((entry) => entry.item));
      batch.forEach((entry, index) => entry.resolve(results[index]!));
    } catch (error) {
      const { runAlone, retryAlone } = this.options;
      if (batch.length === 1 || !runAlone || (retryAlone && !retryAlone(error))) {
        for (const entry of batch) entry.reject(error);
        return;
      }
      await Promise.all(
        batch.map(async (entry) => {
          try {
            entry.resolve(await runAlone(entry.item));
          } catch (alone) {
            entry.reject(alone);
          }
        }),
      );
    }
  }
}
