import { JOB_REGISTRY, type RegisteredQueue } from '../../shared/jobs/job-registry.js';
import type { PayloadOf, QueueDefinition } from '../../shared/jobs/queue-definition.js';
import { createQueueWorker, type JobHandler, type QueueWorker, type QueueWorkerParts, type QueueWorkerSettings } from './queue-worker.js';

/** How one queue's jobs run in this process; null: this process runs none of them (e.g. IMPORT_CONCURRENCY=0). */
export type QueueRunner<Data> = {
  // Handlers return different results per queue; the runner only logs and hands them to BullMQ.
  handler: JobHandler<Data, unknown>;
  concurrency: number;
  maxJobsPerSecond?: number;
} | null;

/** A runner for every queue of the job registry: the type forgets none, and startWorkers checks again at run time. */
export type QueueRunners = { [D in RegisteredQueue as D['name']]: QueueRunner<PayloadOf<D>> };

export interface RunningWorkers {
  workers: QueueWorker[];
  /**
   * Graceful stop: no new jobs; active ones get `graceMs` to finish. Past it, they are handed back to the
   * queue for another worker (should that fail, their locks expire and they run again as stalled jobs);
   * returns how many were handed back.
   */
  close(graceMs: number): Promise<number>;
}

/**
 * Starts one BullMQ worker per queue of the job registry, each with its runner. A queue without a runner
 * is a programming error: the process refuses to start rather than leave a queue unserved.
 */
export async function startWorkers(runners: QueueRunners, parts: QueueWorkerParts, settings: Omit<QueueWorkerSettings, 'concurrency' | 'maxJobsPerSecond'>): Promise<RunningWorkers> {
  const byName = runners as Record<string, QueueRunner<unknown> | undefined>;
  const missing = JOB_REGISTRY.filter((definition) => byName[definition.name] === undefined).map((definition) => definition.name);
  if (missing.length > 0) throw new Error(`no handler for the queue(s) ${missing.join(', ')} of the job registry`);

  const workers: QueueWorker[] = [];
  try {
    for (const definition of JOB_REGISTRY) {
      const runner = byName[definition.name];
      if (!runner) {
        parts.logger.info({ queue: definition.name }, `${definition.noun} jobs are not run by this worker process`);
        continue;
      }
      // QueueRunners pairs each definition with a runner of its own payload; TypeScript cannot follow that
      // pairing through a loop over the union, so both are seen as of unknown payload here.
      const started = createQueueWorker(definition as unknown as QueueDefinition<string, unknown>, runner.handler, parts, {
        ...settings,
        concurrency: runner.concurrency,
        ...(runner.maxJobsPerSecond ? { maxJobsPerSecond: runner.maxJobsPerSecond } : {}),
      });
      workers.push(started);
      await started.worker.waitUntilReady();
    }
  } catch (error) {
    await Promise.all(workers.map(({ worker }) => worker.close(true).catch(() => undefined)));
    throw error;
  }
  // Jobs start only once every queue's worker is ready: a process cannot hold jobs while still starting.
  for (const { definition, worker } of workers) {
    void worker.run().catch((error: unknown) => parts.logger.error({ err: error, queue: definition.name }, `${definition.noun} worker stopped unexpectedly`));
  }

  return {
    workers,
    async close(graceMs) {
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), graceMs);
      });
      const closing = Promise.all(workers.map(({ worker }) => worker.close()));
      const closed = await Promise.race([closing.then(() => 'closed' as const), graceOver]);
      clearTimeout(timer);
      if (closed === 'closed') return 0;
      let released = 0;
      for (const worker of workers) released += await worker.releaseActiveJobs();
      return released;
    },
  };
}
