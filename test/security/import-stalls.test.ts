import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startImport } from '../../services/features/streaming-history/data/imports.repository.js';
import { importQueue } from '../../services/shared/jobs/job-registry.js';
import { createRedisConnection } from '../../services/shared/jobs/redis-connection.js';
import { startImportPipeline, type ImportPipeline } from '../imports/import-harness.js';
import { TEST_REDIS_URL } from '../support/test-env.js';

/**
 * An import whose worker dies while running it, again and again (a streaming history that exhausts
 * the heap did that), ends: once BullMQ gives the job up as stalled too often, the import is FAILED with the
 * reason, and no longer counts as pending.
 */
let p: ImportPipeline;

beforeAll(async () => {
  p = await startImportPipeline('import_stalls', { users: 1 });
}, 60_000);
afterAll(async () => {
  await p?.close();
});

describe('an import whose worker keeps dying', () => {
  it('is marked failed with the reason once the queue gives its job up as stalled', async () => {
    const userId = await p.login(p.emulator.users()[0]!.id);
    const importId = await p.queueImport(userId, await p.writeStreamingHistory([], 'Streaming_History_Audio_2020_0.json'));

    // A worker takes the job, starts the import, and dies: it never renews the job's lock nor finishes it.
    const connection = createRedisConnection(TEST_REDIS_URL, 'worker');
    const doomed = new Worker(importQueue.name, null, { connection, prefix: p.prefix, lockDuration: 500, autorun: false });
    const job = await doomed.getNextJob(randomUUID());
    expect(job?.id).toBe(`import-${importId}`);
    expect((await startImport(p.db.orm.em.fork(), importId))?.status).toBe('running');
    await doomed.close(true);
    connection.disconnect();

    // The next worker finds the job stalled, beyond the allowed count (none here), and BullMQ fails it.
    await p.startImportWorker({ settings: { maxStalledCount: 0, stalledIntervalMs: 500 } });
    const record = await p.waitForImport(importId, 20_000);
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/given up: the worker running it stopped without finishing it .* more often than WORKER_MAX_STALLED_COUNT \(0\) allows/);
    expect(await (await p.importQueue.getJob(`import-${importId}`))?.getState()).toBe('failed');
    expect(p.logLines.some((line) => line.includes(importId) && line.includes('was given up'))).toBe(true);
  });
});
