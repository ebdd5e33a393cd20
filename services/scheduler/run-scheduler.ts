import type { MikroORM } from '@mikro-orm/postgresql';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logging/logger.js';
import { findActiveUsersPage, type SchedulableUser } from '../features/polling/data/poll-state.repository.js';
import type { PollJobData } from '../shared/jobs/job-registry.js';
import { pollJob } from '../features/polling/poll-jobs.js';
import { pollOffsetMs } from './poll-offset.js';

export interface SchedulerRunSettings {
  intervalMs: number;
  spreadMs: number;
  batchSize: number;
  /** For tests: the run's notion of now. */
  now?: number;
}

export interface SchedulerRunSummary {
  /** Active users read. */
  scanned: number;
  /** Of those, due for a poll. */
  due: number;
  /** Jobs added. */
  enqueued: number;
  /** Due users whose poll was already queued, running, or done in this slot. */
  skipped: number;
  durationMs: number;
}

/**
 * One scheduler run: walk the active users in id order, one page at a time, and add a poll job for
 * each one that is due. Safe to run twice or concurrently: job ids are per user and time slot, and a
 * user with a poll still waiting, delayed or running is deduplicated by BullMQ.
 *
 * A user polled at time P is due again when the poll this run would schedule (at now + their offset)
 * comes at least half an interval after P. With a run every interval, each user is polled once per
 * interval at the same offset even when workers lag behind; with runs more frequent than the interval,
 * the per-slot job id keeps it to one scheduled poll per slot.
 */
export async function runScheduler(
  parts: { orm: MikroORM; queue: Queue<PollJobData>; redis: Redis },
  settings: SchedulerRunSettings,
  logger: Logger,
): Promise<SchedulerRunSummary> {
  const { orm, queue, redis } = parts;
  const startedAt = Date.now();
  const now = settings.now ?? startedAt;
  const summary: SchedulerRunSummary = { scanned: 0, due: 0, enqueued: 0, skipped: 0, durationMs: 0 };
  let afterId: string | null = null;
  // One addBulk in flight while the next page is read and checked: Redis runs BullMQ's per-job scripts
  // while Node prepares the next page, instead of each waiting for the other (docs/benchmarks.md, fan-out).
  let adding: Promise<void> = Promise.resolve();
  for (;;) {
    // A fresh fork per page: the scan reads rows only, and the identity map must not grow with users.
    const page: SchedulableUser[] = await findActiveUsersPage(orm.em.fork(), afterId, settings.batchSize);
    if (page.length === 0) break;
    afterId = page[page.length - 1]!.id;
    summary.scanned += page.length;

    const jobs = page.flatMap((user) => {
      const delayMs = pollOffsetMs(user.id, settings.spreadMs);
      const target = now + delayMs;
      const due = user.lastPolledAt === null || user.lastPolledAt.getTime() <= target - settings.intervalMs / 2;
      return due ? [pollJob(user.id, 'schedule', { slotMs: settings.intervalMs, delayMs, now: target })] : [];
    });
    summary.due += jobs.length;
    const fresh = jobs.length > 0 ? await withoutExistingIds(redis, queue, jobs) : [];
    await adding;
    adding = addCounted(queue, fresh, jobs.length, summary);
    // Awaited on the next page or after the loop; until then a failure must not count as unhandled.
    adding.catch(() => undefined);
    if (page.length < settings.batchSize) break;
  }
  await adding;
  summary.durationMs = Date.now() - startedAt;
  logger.info(summary, `scheduler run: ${summary.scanned} active users, ${summary.enqueued} polls enqueued, ${summary.skipped} already queued`);
  return summary;
}

type PollJobSpec = ReturnType<typeof pollJob>;

/** Adds the fresh jobs of one page and counts, among its due users, those enqueued and those already queued. */
async function addCounted(queue: Queue<PollJobData>, fresh: PollJobSpec[], due: number, summary: SchedulerRunSummary): Promise<void> {
  const added = fresh.length > 0 ? await queue.addBulk(fresh) : [];
  // A deduplicated add returns the job already queued for that user, whose id is not the one asked for.
  const enqueued = added.filter((job, index) => job.id === fresh[index]!.opts.jobId).length;
  summary.enqueued += enqueued;
  summary.skipped += due - enqueued;
}

/**
 * Drops jobs whose id already exists (this slot's poll is waiting, running, completed or failed).
 * BullMQ would ignore them too, but would return them as if added, and the summary must tell them apart.
 */
async function withoutExistingIds(redis: Redis, queue: Queue<PollJobData>, jobs: PollJobSpec[]): Promise<PollJobSpec[]> {
  const pipeline = redis.pipeline();
  for (const job of jobs) pipeline.exists(queue.toKey(job.opts.jobId!));
  const results = (await pipeline.exec()) ?? [];
  return jobs.filter((_job, index) => {
    const [error, exists] = results[index] ?? [null, 0];
    if (error) throw error;
    return exists === 0;
  });
}
