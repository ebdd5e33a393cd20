import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { classifyJobError, type JobErrorDecision } from './classify-job-error.js';
import { openQueue } from '../../shared/jobs/open-queues.js';
import { BACKOFF_TYPE, fullJitterBackoff, type QueueDefinition } from '../../shared/jobs/queue-definition.js';
import type { Logger } from '../../shared/logging/logger.js';
import { SpotifyError } from '../../features/spotify/spotify.errors.js';
import type { JobOutcome, WorkerMetrics } from '../metrics/worker-metrics.js';

/** A failed attempt, as a handler's bookkeeping sees it. */
export interface JobFailure<Data> {
  data: Data;
  em: EntityManager;
  log: Logger;
  /** What the run threw (for a job BullMQ failed without running it: BullMQ's error). */
  error: unknown;
  decision: JobErrorDecision;
  /** No attempt follows: the job goes to the failed set (the dead-letter queue). */
  final: boolean;
  /** What the operator reads as the job's failedReason. */
  message: string;
}

/** What a long job may ask about the queue it runs in, to give up its turn. */
export interface JobTurn {
  /** Other jobs of the queue are waiting to run. */
  othersWaiting(): Promise<boolean>;
}

/** What one queue's jobs do: the registry declares the queue, a handler says how its jobs run. */
export interface JobHandler<Data, Result> {
  /** Log fields that name what the job is about (they go on every line of the job). */
  logFields(data: Data): Record<string, unknown>;
  /** Runs one job on an EntityManager fork of its own. */
  run(data: Data, em: EntityManager, log: Logger, turn: JobTurn): Promise<Result>;
  /** The job is of no further interest once it completed so (its subject is gone): it is removed from the queue. */
  forgets?(result: Result): boolean;
  /**
   * The run stopped early to let other jobs go first: the job goes back to the end of the queue,
   * without using an attempt, and its next run continues where this one stopped.
   */
  yieldsTurn?(result: Result): boolean;
  /** The job's log line once it succeeded. */
  report(result: Result, data: Data): { level: 'info' | 'warn'; message: string; fields: Record<string, unknown> };
  /**
   * Bookkeeping after a failed attempt (poll_state, the import's row…). It may return a message for the
   * failure's log line instead of the default one. Its own failure is logged and never hides the job's.
   * Also called (final) for a job BullMQ fails without running it: one that stalled too often.
   */
  afterFailure?(failure: JobFailure<Data>): Promise<{ message?: string; fields?: Record<string, unknown> } | void>;
}

export interface QueueWorkerParts {
  orm: MikroORM;
  /** A worker-role connection (maxRetriesPerRequest: null); BullMQ duplicates it for blocking calls. */
  connection: Redis;
  /** Stops every Spotify call of the app for `ms` (the app-wide limiter), after a 429. */
  pauseSpotify(ms: number): Promise<void>;
  logger: Logger;
  /** Counts every attempt by outcome (absent: nothing is counted). */
  metrics?: WorkerMetrics;
}

export interface QueueWorkerSettings {
  prefix: string;
  concurrency: number;
  /** Jobs started per second across all workers of the queue (BullMQ limiter); none when absent. */
  maxJobsPerSecond?: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  quotaPauseMs: number;
}

export interface QueueWorker<Data = unknown, Result = unknown> {
  definition: QueueDefinition<string, Data>;
  worker: Worker<Data, Result>;
  /**
   * For a shutdown whose grace period is over: puts the jobs still running here back in the queue
   * (every job is idempotent, so the half-done run and the next one do no harm together). Returns how many.
   */
  releaseActiveJobs(): Promise<number>;
}

/**
 * The BullMQ worker of one registered queue: each job's data is checked against the queue's payload
 * schema, runs its handler on its own EntityManager fork, and gets one log line. Failures are
 * classified once for every queue (classify-job-error.ts) into a pause of Spotify calls, a retry with
 * backoff, or an immediate failure; the queue's `onSpotifyPause` says what a pause does to the job.
 */
export function createQueueWorker<Data, Result>(
  definition: QueueDefinition<string, Data>,
  handler: JobHandler<Data, Result>,
  parts: QueueWorkerParts,
  settings: QueueWorkerSettings,
): QueueWorker<Data, Result> {
  const { orm, logger } = parts;
  // Jobs this process is running, with their lock tokens, so a shutdown past its grace period can hand them back.
  const running = new Map<string, { job: Job<Data>; token: string }>();
  // Failures this process's handler already did the bookkeeping of (the others are BullMQ's own: stalls).
  const handledFailures = new WeakSet<Error>();
  const handledFailure = (error: Error): Error => {
    handledFailures.add(error);
    return error;
  };
  const queue = openQueue(definition, parts.connection, settings.prefix);
  const turn: JobTurn = { othersWaiting: async () => (await queue.getWaitingCount()) > 0 };

  const handle = async (job: Job<Data>, token: string | undefined): Promise<Result> => {
    const parsed = definition.payload.safeParse(job.data);
    if (!parsed.success) {
      logger.error({ queue: definition.name, jobId: job.id }, `${definition.noun} job with malformed data, not run: ${parsed.error.message}`);
      parts.metrics?.failedWithoutRunning(definition.name);
      throw handledFailure(new UnrecoverableError(`The job's data does not match the ${definition.name} queue's payload: ${parsed.error.message}`));
    }
    const data = parsed.data;
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    // The API request that asked for the job, when one did: its id is on every line of the job too.
    const requestId = (data as { requestId?: unknown }).requestId;
    const log = logger.child({ jobId: job.id, ...(typeof requestId === 'string' ? { requestId } : {}), ...handler.logFields(data), attempt });
    const startedAt = Date.now();
    const measure = (outcome: JobOutcome) => parts.metrics?.job(definition.name, outcome, (Date.now() - startedAt) / 1000);
    // A fork per job: the identity map of a long-running worker must not grow (and no job sees another's entities).
    const em = orm.em.fork();
    let result: Result;
    try {
      result = await handler.run(data, em, log, turn);
    } catch (error) {
      throw handledFailure(await failed(error));
    }
    const line = handler.report(result, data);
    log[line.level]({ ...line.fields, durationMs: Date.now() - startedAt }, line.message);
    if (token && handler.yieldsTurn?.(result)) {
      measure('yielded');
      // Behind every job waiting now; BullMQ's documented way to requeue from inside a processor.
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    measure('completed');
    return result;

    async function failed(error: unknown): Promise<Error> {
      const decision = classifyJobError(error, { quotaPauseMs: settings.quotaPauseMs });
      const durationMs = Date.now() - startedAt;
      if (decision.action === 'pause') {
        // Every Spotify call of the app waits until Retry-After (BullMQ's manual rate limit on the shared limiter key).
        parts.metrics?.spotifyThrottled(decision.quota ? 'quota' : 'rate_limit');
        await parts.pauseSpotify(decision.pauseMs);
        (decision.quota ? log.error : log.warn).call(log, { pauseMs: decision.pauseMs, durationMs }, decision.message);
        // Back to the queue without using an attempt: the worker waits out the pause before taking it again.
        if (definition.onSpotifyPause === 'pause-queue') {
          measure('rate_limited');
          return Worker.RateLimitError();
        }
      }
      const retryable = decision.action === 'retry' || decision.action === 'pause';
      const final = !retryable || attempt >= attempts;
      const message = retryable ? `${decision.message} (attempt ${attempt} of ${attempts}${final ? ', giving up' : ', will retry'})` : decision.message;
      measure(decision.action === 'reauth' ? 'reauth_required' : final ? 'failed' : 'retrying');
      const noted = handler.afterFailure ? await bestEffort(log, 'recording the failure', () => handler.afterFailure!({ data, em, log, error, decision, final, message })) : undefined;
      if (!retryable) {
        // A user who must log in again is their matter, not the operator's: a warning.
        (decision.action === 'reauth' ? log.warn : log.error).call(log, { durationMs, ...noted?.fields }, noted?.message ?? `${definition.noun} failed, not retried: ${message}`);
        return new UnrecoverableError(message);
      }
      // Spotify errors are fully described by their message; a stack only helps for our own and infrastructure errors.
      const detail = error instanceof SpotifyError ? { durationMs, spotifyError: error.kind } : { durationMs, err: error };
      (final ? log.error : log.warn).call(log, { ...detail, ...noted?.fields }, noted?.message ?? `${definition.noun} failed: ${message}`);
      return new Error(message);
    }
  };

  const processor = async (job: Job<Data>, token?: string): Promise<Result> => {
    if (job.id && token) running.set(job.id, { job, token });
    try {
      return await handle(job, token);
    } finally {
      if (job.id) running.delete(job.id);
    }
  };

  const worker = new Worker<Data, Result>(definition.name, processor, {
    connection: parts.connection,
    prefix: settings.prefix,
    concurrency: settings.concurrency,
    // A limiter must exist for a manual rateLimit() to hold back every worker of the queue, not only this one.
    ...(settings.maxJobsPerSecond ? { limiter: { max: settings.maxJobsPerSecond, duration: 1_000 } } : {}),
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: settings.maxStalledCount,
    settings: {
      backoffStrategy: (attemptsMade: number, type?: string) => {
        // A job asking for another strategy was added by code that bypassed jobOptions(): a programming error.
        if (type !== BACKOFF_TYPE) throw new Error(`unknown backoff type "${type}"`);
        return fullJitterBackoff(attemptsMade, settings.backoffBaseMs, settings.backoffMaxMs);
      },
    },
    autorun: false,
  });
  worker.on('error', (error) => logger.error({ err: error, queue: definition.name }, `${definition.noun} worker error: ${error.message}`));
  worker.on('stalled', (jobId) => logger.warn({ jobId, queue: definition.name }, `${definition.noun} job stalled (its worker stopped without finishing it): it runs again`));
  worker.on('failed', (job, error) => {
    if (!job || handledFailures.has(error)) return;
    void gaveUpWithoutRunning(job, error);
  });
  worker.on('completed', (job, result) => {
    if (handler.forgets?.(result)) void job.remove().catch((error: unknown) => logger.warn({ err: error, jobId: job.id }, `could not remove the ${definition.noun} job: ${(error as Error).message}`));
  });
  worker.on('closed', () => void queue.close().catch(() => undefined));

  /** BullMQ failed the job before our handler ran it (it stalled more often than allowed): the same bookkeeping. */
  async function gaveUpWithoutRunning(job: Job<Data>, error: Error): Promise<void> {
    const log = logger.child({ queue: definition.name, jobId: job.id });
    parts.metrics?.failedWithoutRunning(definition.name);
    const stalled = /stalled more than allowable limit/.test(error.message);
    const message = stalled
      ? `The ${definition.noun} was given up: the worker running it stopped without finishing it (killed, restarted or out of memory) more often than WORKER_MAX_STALLED_COUNT (${settings.maxStalledCount}) allows.`
      : `The ${definition.noun} was given up by the queue: ${error.message}`;
    log.error({ reason: error.message }, message);
    const parsed = definition.payload.safeParse(job.data);
    if (!parsed.success || !handler.afterFailure) return;
    const data = parsed.data;
    await bestEffort(log, 'recording the failure', () =>
      handler.afterFailure!({ data, em: orm.em.fork(), log: log.child(handler.logFields(data)), error, decision: { action: 'give_up', message }, final: true, message }),
    );
  }

  return {
    definition,
    worker,
    async releaseActiveJobs() {
      let released = 0;
      for (const { job, token } of running.values()) {
        // Back to the queue without using an attempt, so another worker runs it now rather than after the lock expires.
        const ok = await job.moveToWait(token).then(
          () => true,
          () => false,
        );
        if (ok) released++;
      }
      return released;
    },
  };
}

/** Bookkeeping that must not hide the original failure (Postgres may be the thing that is down). */
async function bestEffort<T>(log: Logger, what: string, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    log.warn({ err: error }, `${what} failed: ${(error as Error).message}`);
    return undefined;
  }
}
