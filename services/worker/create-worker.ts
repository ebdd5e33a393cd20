import type { MikroORM } from '@mikro-orm/postgresql';
import { UnrecoverableError, Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { recordPollFailure } from '../shared/db/poll-state.repository.js';
import type { Logger } from '../shared/logging/logger.js';
import { type PollJobData } from '../shared/queue/poll-jobs.js';
import { QUEUE_NAMES } from '../shared/queue/queue-names.js';
import { SpotifyError } from '../shared/spotify/spotify.errors.js';
import { classifyPollError } from './classify-error.js';
import { pollUser, type PollOutcome, type PollUserDeps } from './poll-user.job.js';
import { markReauthRequired } from './user-status.js';
import { jitteredBackoffSettings } from './backoff-strategy.js';

export interface PollWorkerSettings {
  prefix: string;
  concurrency: number;
  maxJobsPerSecond: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  quotaPauseMs: number;
}

export interface PollWorkerParts {
  orm: MikroORM;
  /** A worker-role connection (maxRetriesPerRequest: null); BullMQ duplicates it for blocking calls. */
  connection: Redis;
  /** The poll queue on the same Redis, used to pause every worker at once on a 429. */
  queue: Queue<PollJobData>;
  deps: PollUserDeps;
  logger: Logger;
}

/**
 * The BullMQ worker of poll jobs: one `pollUser` per job on its own EntityManager fork, failures
 * classified (classify-error.ts) into a pause of all workers, a retry with backoff, or an immediate
 * failure, and one log line per job.
 */
export function createPollWorker(parts: PollWorkerParts, settings: PollWorkerSettings): PollWorker {
  const { orm, queue, deps, logger } = parts;
  // Jobs this process is running, with their lock tokens, so a shutdown past its grace period can hand them back.
  const running = new Map<string, { job: Job<PollJobData>; token: string }>();

  const processor = async (job: Job<PollJobData>, token?: string): Promise<PollOutcome> => {
    if (job.id && token) running.set(job.id, { job, token });
    try {
      return await handle(job);
    } finally {
      if (job.id) running.delete(job.id);
    }
  };

  const handle = async (job: Job<PollJobData>): Promise<PollOutcome> => {
    const { userId } = job.data;
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    const log = logger.child({ jobId: job.id, userId, attempt });
    const startedAt = Date.now();
    // A fork per job: the identity map of a long-running worker must not grow (and no job sees another's entities).
    const em = orm.em.fork();
    try {
      const outcome = await pollUser(deps, em, userId, log);
      const durationMs = Date.now() - startedAt;
      if (outcome.status === 'polled') {
        const line = { pollReason: job.data.reason, ...outcome, durationMs };
        if (outcome.reauthSoon) log.warn(line, `polled; the user must log in again by ${outcome.reauthBy} (Spotify refresh tokens expire)`);
        else log.info(line, `polled: ${outcome.fetched} fetched, ${outcome.new} new`);
      } else {
        log.info({ pollReason: job.data.reason, ...outcome, durationMs }, `nothing to do: ${outcome.reason.replace(/_/g, ' ')}`);
      }
      return outcome;
    } catch (error) {
      const decision = classifyPollError(error, { quotaPauseMs: settings.quotaPauseMs });
      const durationMs = Date.now() - startedAt;
      if (decision.action === 'pause') {
        // Every worker stops taking jobs until Spotify's Retry-After; this job returns to the queue without
        // using an attempt (BullMQ's manual rate limit: set the limiter key, then throw RateLimitError).
        await queue.rateLimit(decision.pauseMs);
        if (decision.quota) log.error({ pauseMs: decision.pauseMs, durationMs }, decision.message);
        else log.warn({ pauseMs: decision.pauseMs, durationMs }, decision.message);
        throw Worker.RateLimitError();
      }
      const last = decision.action !== 'retry' || attempt >= attempts;
      const message = decision.action === 'retry' ? `${decision.message} (attempt ${attempt} of ${attempts}${last ? ', giving up' : ', will retry'})` : decision.message;
      await bestEffort(log, 'recording the failure in poll_state', () => recordPollFailure(em, userId, new Date(), message));
      if (decision.action === 'reauth') {
        const changed = await bestEffort(log, 'marking the user reauth_required', () => markReauthRequired(em, userId));
        log.warn({ durationMs, statusChanged: changed ?? false }, `user marked reauth_required: ${message}`);
        throw new UnrecoverableError(message);
      }
      if (decision.action === 'give_up') {
        log.error({ durationMs }, `poll failed, not retried: ${message}`);
        throw new UnrecoverableError(message);
      }
      // Spotify errors are fully described by their message; a stack only helps for our own and infrastructure errors.
      const detail = error instanceof SpotifyError ? { durationMs, spotifyError: error.kind } : { durationMs, err: error };
      (last ? log.error : log.warn).call(log, detail, `poll failed: ${message}`);
      throw new Error(message);
    }
  };

  const worker = new Worker<PollJobData, PollOutcome>(QUEUE_NAMES.poll, processor, {
    connection: parts.connection,
    prefix: settings.prefix,
    concurrency: settings.concurrency,
    // A limiter must exist for a manual rateLimit() to hold back every worker, not only this one.
    limiter: { max: settings.maxJobsPerSecond, duration: 1_000 },
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: settings.maxStalledCount,
    settings: jitteredBackoffSettings(settings.backoffBaseMs, settings.backoffMaxMs),
    autorun: false,
  });
  worker.on('error', (error) => logger.error({ err: error }, `worker error: ${error.message}`));
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'job stalled (its worker stopped without finishing it): it runs again'));

  return {
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

export interface PollWorker {
  worker: Worker<PollJobData, PollOutcome>;
  /**
   * For a shutdown whose grace period is over: puts the jobs still running here back in the queue
   * (they are idempotent, so the half-done run and the next one do no harm together). Returns how many.
   */
  releaseActiveJobs(): Promise<number>;
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
