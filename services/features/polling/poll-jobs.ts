import type { Queue } from 'bullmq';
import { pollQueue, type PollJobData, type PollReason } from '../../shared/jobs/job-registry.js';
import { jobOptions } from '../../shared/jobs/queue-definition.js';

/** At most one poll of a user is queued or running: BullMQ deduplicates by this id. */
const dedupeId = (userId: string) => `poll-${userId}`;

/**
 * A poll job's name, data and options: every poll job is built here, so the dedupe rules are visible in one place.
 *
 * - `deduplication.id` is the user: while a poll of that user is waiting, delayed or active, adding another
 *   is a no-op (BullMQ returns the existing job). Once it completes or fails, the next one can be added,
 *   so a failed job in the dead-letter queue never blocks the user's next scheduled poll.
 * - `jobId` is deterministic per user and time slot (no ':' and not all digits, as BullMQ requires), so a
 *   CronJob that runs twice in one slot adds the same ids again.
 * - A poll someone is waiting for (`login`, `manual`) replaces the user's delayed scheduled poll, so it
 *   starts now; when a poll of the user is already running, BullMQ keeps it and queues this one to run
 *   right after it (`keepLastIfActive`), so plays that ended meanwhile are read too.
 */
export function pollJob(userId: string, reason: PollReason, options: { slotMs?: number; delayMs?: number; now?: number; requestId?: string } = {}) {
  const data: PollJobData = pollQueue.payload.parse({ userId, reason, ...(options.requestId ? { requestId: options.requestId } : {}) });
  const now = options.now ?? Date.now();
  const slot = options.slotMs ? Math.floor(now / options.slotMs) * options.slotMs : now;
  const someoneWaits = reason !== 'schedule';
  const opts = jobOptions(pollQueue, {
    jobId: `poll-${userId}-${reason}-${slot}`,
    deduplication: someoneWaits ? { id: dedupeId(userId), replace: true, keepLastIfActive: true } : { id: dedupeId(userId) },
    ...(options.delayMs ? { delay: Math.max(0, Math.round(options.delayMs)) } : {}),
  });
  return { name: pollQueue.jobName, data, opts };
}

/** What asking for a poll now did. */
export type PollRequest =
  | { status: 'started'; at: Date }
  /** A poll of the user is running; another one is queued to start as soon as it ends. */
  | { status: 'already_running'; at: Date };

/**
 * Asks for an immediate poll of one user (after a login, or when they ask for it). The user's delayed
 * scheduled poll, if any, is replaced by this one; a poll already waiting for a worker is kept (it starts
 * as soon as one is free); a running one is followed by this one.
 */
export async function requestPoll(queue: Queue<PollJobData>, userId: string, reason: Exclude<PollReason, 'schedule'>, requestId?: string): Promise<PollRequest> {
  const job = pollJob(userId, reason, requestId ? { requestId } : {});
  const added = await queue.add(job.name, job.data, job.opts);
  if (added.id === job.opts.jobId) return { status: 'started', at: new Date(added.timestamp) };
  // Deduplicated: another job of the user stands; what it is doing decides the answer.
  const existing = added.id ? await queue.getJob(added.id) : undefined;
  const state = existing ? await existing.getState() : 'unknown';
  if (state === 'active') return { status: 'already_running', at: new Date(existing?.processedOn ?? Date.now()) };
  return { status: 'started', at: new Date() };
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
