import type { Queue } from 'bullmq';
import { importQueue, type ImportJobData } from './job-registry.js';
import { jobOptions } from './queue-definition.js';

/**
 * One job per import, its id derived from the import's (adding it twice is a no-op). The job is long
 * but resumable: each chunk commits its plays together with the checkpoint, so a retry, or a run after
 * the worker died (a stalled job), continues from the last committed chunk.
 */
export function importJob(importId: string) {
  const data: ImportJobData = importQueue.payload.parse({ importId });
  return { name: importQueue.jobName, data, opts: jobOptions(importQueue, { jobId: `import-${importId}` }) };
}

export async function enqueueImport(queue: Queue<ImportJobData>, importId: string): Promise<void> {
  const job = importJob(importId);
  await queue.add(job.name, job.data, job.opts);
}
