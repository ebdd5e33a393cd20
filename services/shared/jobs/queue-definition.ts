import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';

/** How long finished jobs stay in Redis, in seconds (BullMQ's removeOnComplete / removeOnFail). */
export interface JobRetention {
  completed: { age: number; count: number };
  /** The failed set is the dead-letter queue: kept long enough for an operator to look. */
  failed: { age: number };
}

/**
 * What a queue's worker does when Spotify says to slow down (a 429, or the app's quota exhausted):
 * - `pause-queue`: every worker of the queue stops taking jobs until Retry-After and the job goes back to
 *   the queue without using an attempt (the queue has a limiter for this);
 * - `retry`: the attempt fails and the job retries with backoff (a queue without a limiter, whose own
 *   Spotify calls already wait on the shared limit).
 */
export type SpotifyPausePolicy = 'pause-queue' | 'retry';

/** One BullMQ queue of Playlog and the one kind of job it holds, declared once in the job registry. */
export interface QueueDefinition<Name extends string = string, Data = unknown> {
  /** The BullMQ queue name: part of every Redis key of the queue, so it never changes. */
  readonly name: Name;
  /** The name its jobs carry (BullMQ's job name). */
  readonly jobName: string;
  /** What one job is called in log lines and failure messages ("poll failed: …"). */
  readonly noun: string;
  /** For operators: what a job is, and what a failed one means (the dashboard and `npm run dlq` show it). */
  readonly description: string;
  /** What a job carries: ids only, never a token. Checked when a job is added and when it runs. */
  readonly payload: z.ZodType<Data>;
  /** Attempts before a job ends in the failed set (the dead-letter queue). */
  readonly attempts: number;
  readonly retention: JobRetention;
  readonly onSpotifyPause: SpotifyPausePolicy;
  /** Who or what a job is about, in a few words (dead-letter listings and log lines). */
  subject(data: Data): string;
}

export function defineQueue<Name extends string, Data>(definition: QueueDefinition<Name, Data>): QueueDefinition<Name, Data> {
  return Object.freeze(definition);
}

/** The payload type of a queue definition. */
export type PayloadOf<D> = D extends QueueDefinition<string, infer Data> ? Data : never;

/**
 * The one backoff strategy of every Playlog job, registered on each worker (its delays come from the
 * worker's WORKER_BACKOFF_BASE_MS / WORKER_BACKOFF_MAX_MS, so a job carries only the strategy's name).
 */
export const BACKOFF_TYPE = 'jitteredExponential';

/**
 * A job's options from its queue's declaration, plus what is particular to this job (its id, a delay,
 * a deduplication rule). Every job of every queue is added with options built here.
 */
export function jobOptions(definition: QueueDefinition, particular: Pick<JobsOptions, 'jobId' | 'delay' | 'deduplication'>): JobsOptions {
  return {
    attempts: definition.attempts,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: definition.retention.completed,
    removeOnFail: definition.retention.failed,
    ...particular,
  };
}

/**
 * Exponential backoff with full jitter: a random delay between 0 and a ceiling that doubles per attempt up
 * to `capMs`, so that many jobs failing at once (a Spotify outage) do not retry in lock-step.
 */
export function fullJitterBackoff(attemptsMade: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(random() * ceiling);
}
