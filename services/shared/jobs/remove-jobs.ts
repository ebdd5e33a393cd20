import type { Queue } from 'bullmq';

/**
 * Removes the jobs of these ids from every state of the queue (what they were for is gone). A job running
 * right now cannot be removed: its run finds its record gone and stops. Returns how many were removed.
 */
export async function removeJobs(queue: Queue, jobIds: readonly string[]): Promise<number> {
  let removed = 0;
  for (const jobId of jobIds) {
    const job = await queue.getJob(jobId);
    if (!job) continue;
    const gone = await job.remove().then(
      () => true,
      () => false,
    );
    if (gone) removed++;
  }
  return removed;
}
