import { describe, expect, it } from 'vitest';
import { Batcher, BatcherFullError, type BatcherOptions } from '../../../../services/shared/batching/batcher.js';

interface Item {
  key: string;
  value: number;
  size?: number;
}

/** A batcher whose batches finish when the test says so; it records every batch it was given. */
function harness(options: Partial<BatcherOptions<Item, string>> = {}) {
  const batches: Item[][] = [];
  const pending: Array<{ items: readonly Item[]; finish: () => void; fail: (error: Error) => void }> = [];
  const batcher = new Batcher<Item, string>({
    what: 'test items',
    maxSize: 10,
    maxRunning: 1,
    maxWaiting: 100,
    keyOf: (item) => item.key,
    sizeOf: (item) => item.size ?? 1,
    run: (items) => {
      batches.push([...items]);
      return new Promise<string[]>((resolve, reject) => {
        pending.push({ items, finish: () => resolve(items.map((item) => `${item.key}:${item.value}`)), fail: reject });
      });
    },
    ...options,
  });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { batcher, batches, pending, settle };
}

describe('Batcher', () => {
  it('runs an item at once when nothing runs, and gathers what arrives meanwhile into the next batch', async () => {
    const { batcher, batches, pending, settle } = harness();
    const first = batcher.do({ key: 'a', value: 1 });
    expect(batches).toEqual([[{ key: 'a', value: 1 }]]);
    const later = [batcher.do({ key: 'b', value: 2 }), batcher.do({ key: 'c', value: 3 }), batcher.do({ key: 'd', value: 4 })];
    expect(batches).toHaveLength(1);
    pending[0]!.finish();
    expect(await first).toBe('a:1');
    await settle();
    expect(batches[1]!.map((item) => item.key)).toEqual(['b', 'c', 'd']);
    pending[1]!.finish();
    // Each caller gets its own item's result.
    expect(await Promise.all(later)).toEqual(['b:2', 'c:3', 'd:4']);
  });

  it('never puts two items of one key in a batch, and keeps their order', async () => {
    const { batcher, batches, pending, settle } = harness();
    const results = [batcher.do({ key: 'x', value: 0 }), batcher.do({ key: 'a', value: 1 }), batcher.do({ key: 'a', value: 2 }), batcher.do({ key: 'b', value: 3 }), batcher.do({ key: 'a', value: 4 })];
    for (let round = 0; round < 4 && pending.length > round; round++) {
      pending[round]!.finish();
      await settle();
    }
    expect(batches.map((batch) => batch.map((item) => `${item.key}${item.value}`))).toEqual([['x0'], ['a1', 'b3'], ['a2'], ['a4']]);
    expect(await Promise.all(results)).toEqual(['x:0', 'a:1', 'a:2', 'b:3', 'a:4']);
  });

  it('keeps a batch within maxSize, by the items’ sizes', async () => {
    const { batcher, batches, pending, settle } = harness({ maxSize: 5 });
    const all = [batcher.do({ key: 'x', value: 0 }), ...[1, 2, 3, 4].map((value) => batcher.do({ key: `k${value}`, value, size: 2 }))];
    for (let round = 0; round < 3; round++) {
      pending[round]!.finish();
      await settle();
    }
    expect(batches.map((batch) => batch.map((item) => item.value))).toEqual([[0], [1, 2], [3, 4]]);
    await Promise.all(all);
  });

  it('runs up to maxRunning batches at once', () => {
    const { batcher, batches } = harness({ maxRunning: 2 });
    void batcher.do({ key: 'a', value: 1 });
    void batcher.do({ key: 'b', value: 2 });
    void batcher.do({ key: 'c', value: 3 });
    expect(batches.map((batch) => batch.map((item) => item.key))).toEqual([['a'], ['b']]);
  });

  it('refuses an item once maxWaiting is waiting, and takes items again when the queue drains', async () => {
    const { batcher, pending, settle } = harness({ maxWaiting: 2 });
    const running = batcher.do({ key: 'a', value: 1 });
    const waiting = [batcher.do({ key: 'b', value: 2 }), batcher.do({ key: 'c', value: 3 })];
    await expect(batcher.do({ key: 'd', value: 4 })).rejects.toBeInstanceOf(BatcherFullError);
    await expect(batcher.do({ key: 'd', value: 4 })).rejects.toThrow('Too many test items are waiting right now.');
    pending[0]!.finish();
    await running;
    await settle();
    const accepted = batcher.do({ key: 'd', value: 4 });
    pending[1]!.finish();
    await settle();
    pending[2]!.finish();
    expect(await Promise.all([...waiting, accepted])).toEqual(['b:2', 'c:3', 'd:4']);
  });

  it('tries each item of a failed batch alone: one item’s failure is only its own', async () => {
    const alone: string[] = [];
    const { batcher, pending, settle } = harness({
      runAlone: async (item) => {
        alone.push(item.key);
        if (item.key === 'bad') throw new Error('bad item');
        return `alone ${item.key}`;
      },
    });
    const first = batcher.do({ key: 'a', value: 1 });
    const rest = [batcher.do({ key: 'b', value: 2 }), batcher.do({ key: 'bad', value: 3 }), batcher.do({ key: 'c', value: 4 })];
    pending[0]!.finish();
    await first;
    await settle();
    pending[1]!.fail(new Error('batch failed'));
    const settled = await Promise.allSettled(rest);
    expect(settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message))).toEqual(['alone b', 'bad item', 'alone c']);
    expect(alone).toEqual(['b', 'bad', 'c']);
  });

  it('gives every item the batch’s failure when it is not worth trying them alone, or the batch held one', async () => {
    const alone: string[] = [];
    const { batcher, pending, settle } = harness({
      runAlone: async (item) => {
        alone.push(item.key);
        return 'alone';
      },
      retryAlone: (error) => (error as Error).message !== 'out of time',
    });
    const single = batcher.do({ key: 'a', value: 1 });
    const rest = [batcher.do({ key: 'b', value: 2 }), batcher.do({ key: 'c', value: 3 })];
    pending[0]!.fail(new Error('lone failure'));
    await expect(single).rejects.toThrow('lone failure');
    await settle();
    pending[1]!.fail(new Error('out of time'));
    for (const result of rest) await expect(result).rejects.toThrow('out of time');
    expect(alone).toEqual([]);
  });
});
