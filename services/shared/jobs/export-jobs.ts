import type { Queue } from 'bullmq';
import { exportQueue, type ExportJobData } from './job-registry.js';
import { jobOptions } from './queue-definition.js';

/** The job id of an export's job: one job per export (adding it twice is a no-op). */
export const exportJobId = (exportId: string): string => `export-${exportId}`;

export function exportJob(exportId: string, requestId?: string) {
  const data: ExportJobData = exportQueue.payload.parse({ exportId, ...(requestId ? { requestId } : {}) });
  return { name: exportQueue.jobName, data, opts: jobOptions(exportQueue, { jobId: exportJobId(exportId) }) };
}

export async function enqueueExport(queue: Queue<ExportJobData>, exportId: string, requestId?: string): Promise<void> {
  const job = exportJob(exportId, requestId);
  await queue.add(job.name, job.data, job.opts);
}

/** Removes these exports' jobs, whatever their state (their account is gone); a running one finds its row gone. */
export async function removeExportJobs(queue: Queue<ExportJobData>, exportIds: readonly string[]): Promise<number> {
  let removed = 0;
  for (const exportId of exportIds) {
    const job = await queue.getJob(exportJobId(exportId));
    if (!job) continue;
    const gone = await job.remove().then(
      () => true,
      () => false,
    );
    if (gone) removed++;
  }
  return removed;
}
