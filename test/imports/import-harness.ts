import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createImport, findImport, type ImportRecord } from '../../services/features/streaming-history/data/imports.repository.js';
import { enqueueImport } from '../../services/features/streaming-history/import-jobs.js';
import { importQueue as importQueueDefinition, type ImportJobData } from '../../services/shared/jobs/job-registry.js';
import { createRedisConnection } from '../../services/shared/jobs/redis-connection.js';
import type { SpotifyApiClient } from '../../services/features/spotify/spotify-api.client.js';
import type { ImportLimits, ImportOutcome } from '../../services/worker/import/import-streaming-history.job.js';
import { importHandler } from '../../services/worker/import/import.handler.js';
import { createQueueWorker, type QueueWorkerSettings } from '../../services/worker/jobs/queue-worker.js';
import { SharedSpotifyRateLimit } from '../../services/worker/import/shared-rate-limit.js';
import type { ExtendedHistoryRow } from '../../services/spotify-emulator/streaming-history.js';
import { startPipeline, type Pipeline } from '../pipeline/pipeline-harness.js';
import type { EmulatorOptions } from '../support/emulator.js';
import { TEST_REDIS_URL } from '../support/test-env.js';

/** The worker's default import limits (services/worker/config.ts); tests lower the one they are about. */
export const DEFAULT_IMPORT_LIMITS: ImportLimits = { maxEntries: 1_000, maxExpandedBytes: 1024 * 1024 * 1024, maxRows: 2_000_000, turnMs: 60_000 };

export interface ImportPipeline extends Pipeline {
  importQueue: Queue<ImportJobData>;
  dir: string;
  /** The emulator's streaming history of a user's plays in [from, to) (GET /admin/users/:id/streaming-history). */
  streamingHistoryOf(spotifyUserId: string, from: string, to?: string): Promise<ExtendedHistoryRow[]>;
  /** Writes rows as one Streaming_History_Audio JSON file; returns its path. */
  writeStreamingHistory(rows: unknown[], name?: string): Promise<string>;
  /** Queues an import of this file for the user, as POST /imports does; returns the import's id. */
  queueImport(userId: string, filePath: string): Promise<string>;
  /** An in-process import worker (closed by close()); `api` replaces the Spotify API client of its track look-ups. */
  startImportWorker(options?: { chunkRows?: number; api?: SpotifyApiClient; limits?: Partial<ImportLimits>; settings?: Partial<QueueWorkerSettings> }): Promise<Worker<ImportJobData, ImportOutcome>>;
  /** Waits until the import is completed, failed or cancelled. */
  waitForImport(importId: string, timeoutMs?: number): Promise<ImportRecord>;
}

export async function startImportPipeline(label: string, emulatorOptions: EmulatorOptions = {}): Promise<ImportPipeline> {
  const pipeline = await startPipeline(label, emulatorOptions);
  const importQueue = pipeline.queues.import;
  const dir = join(tmpdir(), `playlog-import-test-${randomUUID()}`);
  await mkdir(dir, { recursive: true });
  const workers: Array<{ worker: Worker; connection: Redis }> = [];

  return {
    ...pipeline,
    importQueue,
    dir,
    async streamingHistoryOf(spotifyUserId, from, to) {
      const query = new URLSearchParams({ from, ...(to ? { to } : {}) });
      const response = await fetch(`${pipeline.emulator.adminUrl}/users/${spotifyUserId}/streaming-history?${query}`);
      if (response.status !== 200) throw new Error(`the emulator's streaming history answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as ExtendedHistoryRow[];
    },
    async writeStreamingHistory(rows, name = `Streaming_History_Audio_${randomUUID()}.json`) {
      const path = join(dir, name);
      await writeFile(path, JSON.stringify(rows));
      return path;
    },
    async queueImport(userId, filePath) {
      const record = await createImport(pipeline.db.orm.em.fork(), { userId, fileName: 'streaming-history.json', filePath, fileBytes: 1 });
      await enqueueImport(importQueue, record.id);
      return record.id;
    },
    async startImportWorker(options = {}) {
      const connection = createRedisConnection(TEST_REDIS_URL, 'worker');
      const pollQueue = pipeline.queue;
      const { worker } = createQueueWorker(
        importQueueDefinition,
        importHandler({
          ...pipeline.deps,
          api: options.api ?? pipeline.deps.api,
          rateLimit: new SharedSpotifyRateLimit(connection, pollQueue, { lookupsPerSecond: 1_000 }),
          chunkRows: options.chunkRows ?? 1_000,
          limits: { ...DEFAULT_IMPORT_LIMITS, ...options.limits },
        }),
        { orm: pipeline.db.orm, connection, logger: pipeline.logger, pauseSpotify: (ms) => pollQueue.rateLimit(ms) },
        { prefix: pipeline.prefix, concurrency: 1, lockDurationMs: 5_000, stalledIntervalMs: 2_000, maxStalledCount: 2, backoffBaseMs: 20, backoffMaxMs: 200, quotaPauseMs: 60_000, ...options.settings },
      );
      void worker.run();
      await worker.waitUntilReady();
      workers.push({ worker, connection });
      return worker;
    },
    async waitForImport(importId, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const record = await findImport(pipeline.db.orm.em.fork(), importId);
        if (record && ['completed', 'failed', 'cancelled'].includes(record.status)) return record;
        if (Date.now() > deadline) throw new Error(`import ${importId} not finished after ${timeoutMs} ms: ${JSON.stringify(record)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async close() {
      for (const { worker, connection } of workers) {
        await worker.close();
        connection.disconnect();
      }
      await rm(dir, { recursive: true, force: true });
      await pipeline.close();
    },
  };
}

/** A play as `<UTC second> <track id>`: how the ground truth and the database are compared (one play per track per second). */
export const secondKey = (playedAt: string | Date, trackId: string): string => `${new Date(playedAt).toISOString().slice(0, 19)}Z ${trackId}`;
