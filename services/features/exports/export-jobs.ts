import type { Queue } from 'bullmq';
import { exportQueue, type ExportJobData } from '../../shared/jobs/job-registry.js';
import { jobOptions } from '../../shared/jobs/queue-definition.js';
import { removeJobs } from '../../shared/jobs/remove-jobs.js';

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
export function removeExportJobs(queue: Queue<ExportJobData>, exportIds: readonly string[]): Promise<number> {
  return removeJobs(queue, exportIds.map(exportJobId));
}
