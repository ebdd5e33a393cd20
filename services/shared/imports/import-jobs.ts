import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUE_NAMES } from '../queue/queue-names.js';

/** An import job carries the import's id only: the user, the file and the checkpoint are in the `imports` row. */
export interface ImportJobData {
  importId: string;
}

export const IMPORT_JOB_NAME = 'import-export';
export const IMPORT_ATTEMPTS = 8;

/**
 * One job per import, its id derived from the import's (adding it twice is a no-op). The job is long
 * but resumable: each chunk commits its plays together with the checkpoint, so a retry, or a run after
 * the worker died (a stalled job), continues from the last committed chunk.
 */
export function importJob(importId: string) {
  const opts: JobsOptions = {
    jobId: `import-${importId}`,
    attempts: IMPORT_ATTEMPTS,
    backoff: { type: 'jitteredExponential', delay: 5_000 },
    removeOnComplete: { age: 24 * 60 * 60, count: 1_000 },
    removeOnFail: { age: 14 * 24 * 60 * 60 },
  };
  return { name: IMPORT_JOB_NAME, data: { importId } satisfies ImportJobData, opts };
}

export function createImportQueue(connection: Redis, prefix: string): Queue<ImportJobData> {
  const queue = new Queue<ImportJobData>(QUEUE_NAMES.import, { connection, prefix });
  queue.on('error', () => undefined);
  return queue;
}

export async function enqueueImport(queue: Queue<ImportJobData>, importId: string): Promise<void> {
  const job = importJob(importId);
  await queue.add(job.name, job.data, job.opts);
}
