import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * The scheduler is a short-lived CronJob: it cannot be scraped. Each run writes its summary here, in
 * Redis beside the queues, and the long-lived workers export it as `playlog_scheduler_*` gauges
 * (docs/operations.md), so "the scheduler has not run" is an alert, not a guess.
 */
export const schedulerRunSchema = z.object({
  startedAt: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
  outcome: z.enum(['success', 'failure']),
  scanned: z.number().int().nonnegative(),
  due: z.number().int().nonnegative(),
  enqueued: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  /** How often runs are expected (the loop's period, or the poll interval the CronJob's schedule follows). */
  intervalSeconds: z.number().int().positive(),
});
export type SchedulerRun = z.infer<typeof schedulerRunSchema>;

export interface SchedulerRuns {
  last: SchedulerRun | null;
  /** When the last successful run started; kept across failed runs. */
  lastSuccessAt: string | null;
}

const keyOf = (prefix: string) => `${prefix}:playlog-scheduler`;

/** Records one run; a successful one also becomes the last success. */
export async function recordSchedulerRun(redis: Redis, prefix: string, run: SchedulerRun): Promise<void> {
  const parsed = schedulerRunSchema.parse(run);
  await redis.hset(keyOf(prefix), { last: JSON.stringify(parsed), ...(parsed.outcome === 'success' ? { lastSuccessAt: parsed.startedAt } : {}) });
}

export async function readSchedulerRuns(redis: Redis, prefix: string): Promise<SchedulerRuns> {
  const stored = await redis.hgetall(keyOf(prefix));
  const last = stored.last ? schedulerRunSchema.safeParse(JSON.parse(stored.last)) : undefined;
  return { last: last?.success ? last.data : null, lastSuccessAt: stored.lastSuccessAt ?? null };
}
