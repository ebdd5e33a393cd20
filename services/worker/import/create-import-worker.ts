import type { MikroORM } from '@mikro-orm/postgresql';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { finishImport } from '../../shared/imports/imports.repository.js';
import type { ImportJobData } from '../../shared/imports/import-jobs.js';
import type { Logger } from '../../shared/logging/logger.js';
import { QUEUE_NAMES } from '../../shared/queue/queue-names.js';
import { SpotifyError } from '../../shared/spotify/spotify.errors.js';
import { ReauthRequiredError } from '../reauth-required.error.js';
import { importExport, type ImportExportDeps, type ImportOutcome } from './import-export.job.js';
import { jitteredBackoffSettings } from '../backoff-strategy.js';

export interface ImportWorkerSettings {
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

/**
 * A second BullMQ worker, in the worker process, on the `import` queue: one `importExport` per job on
 * its own EntityManager fork. The poll worker is untouched; the two share Spotify's rate limit through
 * the poll limiter key (shared-rate-limit.ts). An import whose last attempt fails is marked failed with
 * its error; retried from the dead-letter queue it resumes from its checkpoint.
 */
export function createImportWorker(parts: { orm: MikroORM; connection: Redis; deps: ImportExportDeps; logger: Logger }, settings: ImportWorkerSettings): Worker<ImportJobData, ImportOutcome> {
  const { orm, deps, logger } = parts;
  const processor = async (job: Job<ImportJobData>): Promise<ImportOutcome> => {
    const { importId } = job.data;
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    const log = logger.child({ jobId: job.id, importId, attempt });
    const em = orm.em.fork();
    try {
      return await importExport(deps, em, importId, log);
    } catch (error) {
      const unrecoverable = error instanceof ReauthRequiredError || (error instanceof SpotifyError && !error.retryable);
      const last = unrecoverable || attempt >= attempts;
      const message = `import failed: ${(error as Error).message}`;
      if (last) {
        await finishImport(em, importId, 'failed', (error as Error).message).catch((cause: unknown) => log.warn({ err: cause }, 'could not mark the import failed'));
      }
      const detail = error instanceof SpotifyError ? { spotifyError: error.kind } : { err: error };
      (last ? log.error : log.warn).call(log, detail, `${message}${last ? '' : ' (will retry from its checkpoint)'}`);
      if (unrecoverable) throw new UnrecoverableError(message);
      throw error;
    }
  };

  const worker = new Worker<ImportJobData, ImportOutcome>(QUEUE_NAMES.import, processor, {
    connection: parts.connection,
    prefix: settings.prefix,
    concurrency: settings.concurrency,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: settings.maxStalledCount,
    settings: jitteredBackoffSettings(settings.backoffBaseMs, settings.backoffMaxMs),
    autorun: false,
  });
  worker.on('error', (error) => logger.error({ err: error }, `import worker error: ${error.message}`));
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'import job stalled (its worker stopped without finishing it): it resumes from its checkpoint'));
  return worker;
}
