import type { Queue } from 'bullmq';
import { importQueue, type ImportJobData } from '../../shared/jobs/job-registry.js';
import { jobOptions } from '../../shared/jobs/queue-definition.js';
import { removeJobs } from '../../shared/jobs/remove-jobs.js';

/**
 * One job per import, its id derived from the import's (adding it twice is a no-op). The job is long
 * but resumable: each chunk commits its plays together with the checkpoint, so a retry, or a run after
 * the worker died (a stalled job), continues from the last committed chunk.
 */
export function importJob(importId: string, requestId?: string) {
  const data: ImportJobData = importQueue.payload.parse({ importId, ...(requestId ? { requestId } : {}) });
  return { name: importQueue.jobName, data, opts: jobOptions(importQueue, { jobId: importJobId(importId) }) };
}

/** The job id of an import's job: one job per import. */
export const importJobId = (importId: string): string => `import-${importId}`;

export async function enqueueImport(queue: Queue<ImportJobData>, importId: string, requestId?: string): Promise<void> {
  const job = importJob(importId, requestId);
  await queue.add(job.name, job.data, job.opts);
}

/**
 * Removes these imports' jobs from every state of the queue (their account or their import is gone).
 * A job running right now cannot be removed: its run finds the import gone or cancelled, stops, and its
 * worker removes it then (the import handler's `forgets`). Returns how many were removed.
 */
export function removeImportJobs(queue: Queue<ImportJobData>, importIds: string[]): Promise<number> {
  return removeJobs(queue, importIds.map(importJobId));
}
