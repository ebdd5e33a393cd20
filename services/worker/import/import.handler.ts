import { finishImport } from '../../features/streaming-history/data/imports.repository.js';
import { StreamingHistoryRefusedError } from '../../features/streaming-history/read-streaming-history.js';
import type { ImportJobData } from '../../shared/jobs/job-registry.js';
import type { JobHandler } from '../jobs/queue-worker.js';
import { importStreamingHistory, type ImportStreamingHistoryDeps, type ImportOutcome } from './import-streaming-history.job.js';

/**
 * Import jobs: one `importStreamingHistory` each, resumable from the import's checkpoint. A run whose
 * turn is over while other imports wait goes back to the queue behind them (so one large streaming
 * history cannot hold the worker for hours). An import whose last attempt failed — or whose worker died too often while running
 * it — is marked failed with the reason, which the user reads in GraphQL; retried from the dead-letter
 * queue (`npm run dlq -- retry <jobId> --queue import`), it resumes from its checkpoint.
 */
export function importHandler(deps: ImportStreamingHistoryDeps): JobHandler<ImportJobData, ImportOutcome> {
  return {
    logFields: (data) => ({ importId: data.importId }),
    run: (data, em, log, turn) => importStreamingHistory(deps, em, data.importId, log, turn),
    yieldsTurn: (outcome) => outcome.status === 'yielded',
    // Cancelled, or its row gone with the account: nothing of it stays in Redis either.
    forgets: (outcome) => outcome.status === 'cancelled' || outcome.status === 'nothing_to_do',
    report(outcome) {
      switch (outcome.status) {
        case 'completed': {
          const { counts } = outcome;
          return { level: 'info', message: `import completed: ${counts.stored} new plays, ${counts.duplicates} already stored, ${counts.rowsRead} rows read`, fields: { status: outcome.status, ...counts } };
        }
        case 'cancelled':
          return { level: 'info', message: 'import cancelled by the user: stopped; plays of earlier chunks are kept', fields: { status: outcome.status, ...outcome.counts } };
        case 'yielded': {
          const { counts } = outcome;
          return {
            level: 'info',
            message: `import paused after its turn so that other imports run: ${counts.rowsRead} rows read this turn; it continues from its checkpoint after them`,
            fields: { status: outcome.status, ...counts },
          };
        }
        case 'moved_on':
          return { level: 'warn', message: 'another run of this import is ahead of this one: stopped', fields: { status: outcome.status } };
        case 'nothing_to_do':
          return { level: 'info', message: `nothing to do: ${outcome.reason.replace(/_/g, ' ')}`, fields: { status: outcome.status } };
      }
    },
    async afterFailure({ data, em, error, decision, final }) {
      // A refused streaming history's file was deleted by the run (nothing can come of it).
      if (final) await finishImport(em, data.importId, 'failed', decision.message, { fileDeleted: error instanceof StreamingHistoryRefusedError });
      if (!final) return { fields: { resumes: 'from its checkpoint' } };
    },
  };
}
