import type { JobsOptions, Queue } from 'bullmq';

/** A poll job carries a user id and why it was asked for — never a token. */
export interface PollJobData {
  userId: string;
  reason: PollReason;
}
export type PollReason = 'schedule' | 'login' | 'manual';

export const POLL_JOB_NAME = 'poll-user';

/** Retention: completed jobs briefly, failed jobs (the dead-letter queue) for two weeks. */
export const POLL_RETENTION = {
  completed: { age: 60 * 60, count: 1_000 },
  failed: { age: 14 * 24 * 60 * 60 },
} as const;

export const POLL_ATTEMPTS = 6;

const dedupeId = (userId: string) => `poll-${userId}`;

/**
 * Every poll job's id and options are built here, so the dedupe rules are visible in one place.
 *
 * - `deduplication.id` is the user: while a poll of that user is waiting, delayed or active, adding another
 *   is a no-op (BullMQ returns the existing job). Once it completes or fails, the next one can be added,
 *   so a failed job in the dead-letter queue never blocks the user's next scheduled poll.
 * - `jobId` is deterministic per user and time slot (no ':' and not all digits, as BullMQ requires), so a
 *   CronJob that runs twice in one slot adds the same ids again.
 */
export function pollJob(userId: string, reason: PollReason, options: { slotMs?: number; delayMs?: number; now?: number } = {}) {
  const now = options.now ?? Date.now();
  const slot = options.slotMs ? Math.floor(now / options.slotMs) * options.slotMs : now;
  const opts: JobsOptions = {
    jobId: `poll-${userId}-${reason}-${slot}`,
    deduplication: { id: dedupeId(userId) },
    attempts: POLL_ATTEMPTS,
    backoff: { type: 'jitteredExponential', delay: 2_000 },
    removeOnComplete: POLL_RETENTION.completed,
    removeOnFail: POLL_RETENTION.failed,
    ...(options.delayMs ? { delay: Math.max(0, Math.round(options.delayMs)) } : {}),
  };
  return { name: POLL_JOB_NAME, data: { userId, reason } satisfies PollJobData, opts };
}

/**
 * Exponential backoff with full jitter, registered on the worker as the `jitteredExponential` strategy,
 * so that many users failing at once do not retry in lock-step.
 */
export function jitteredExponentialBackoff(attemptsMade: number, baseMs = 2_000, capMs = 5 * 60_000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Asks for an immediate poll of one user; returns false when one is already queued or running. */
export async function enqueuePoll(queue: Queue<PollJobData>, userId: string, reason: PollReason): Promise<boolean> {
  const job = pollJob(userId, reason);
  const added = await queue.add(job.name, job.data, job.opts);
  return added.id === job.opts.jobId;
}

/**
 * Removes a user's queued poll and their failed ones (account deletion). An active poll cannot be removed
 * (a worker holds its lock); it finds no user when it loads and completes with nothing to do.
 */
export async function removePollJobs(queue: Queue<PollJobData>, userId: string): Promise<void> {
  const queuedId = await queue.getDeduplicationJobId(dedupeId(userId));
  if (queuedId) await queue.remove(queuedId).catch(() => 0);
  await queue.removeDeduplicationKey(dedupeId(userId));
  // Collect first, remove after: removing while paging would shift the pages.
  const pageSize = 500;
  const theirs: Array<{ remove(): Promise<void> }> = [];
  for (let start = 0; ; start += pageSize) {
    const failed = await queue.getFailed(start, start + pageSize - 1);
    theirs.push(...failed.filter((job) => job?.data.userId === userId));
    if (failed.length < pageSize) break;
  }
  await Promise.all(theirs.map((job) => job.remove().catch(() => undefined)));
}
