import { failExport } from '../../features/exports/data/exports.repository.js';
import { deleteExportFile } from '../../features/exports/export-files.js';
import type { ExportJobData } from '../../shared/jobs/job-registry.js';
import type { JobHandler } from '../jobs/queue-worker.js';
import { writeExport, type ExportOutcome, type WriteExportDeps } from './write-export.job.js';

/**
 * Export jobs: one `writeExport` each. A run whose turn is over while other exports wait goes back to the
 * queue behind them and continues from its checkpoint, as imports do (so one user's large exports cannot
 * keep everyone else's waiting). An export whose last attempt failed is marked failed with the reason,
 * which its owner reads in GraphQL, and keeps no file; retried from the dead-letter queue
 * (`npm run dlq -- retry <jobId> --queue export`), it is written again from the start.
 */
export function exportHandler(deps: WriteExportDeps): JobHandler<ExportJobData, ExportOutcome> {
  return {
    logFields: (data) => ({ exportId: data.exportId }),
    run: (data, em, log, turn) => writeExport(deps, em, data.exportId, log, turn),
    yieldsTurn: (outcome) => outcome.status === 'yielded',
    // Its row is gone (the account was deleted) or was already written: nothing of it stays in Redis either.
    forgets: (outcome) => outcome.status === 'nothing_to_do',
    report(outcome) {
      switch (outcome.status) {
        case 'completed':
          return {
            level: 'info',
            message: `export completed: ${outcome.rows} plays written, ${outcome.skipped} left out, ${outcome.bytes} bytes${outcome.replaced > 0 ? `; ${outcome.replaced} older exports of the user replaced` : ''}`,
            fields: { status: outcome.status, rows: outcome.rows, skipped: outcome.skipped, bytes: outcome.bytes, replaced: outcome.replaced },
          };
        case 'yielded':
          return {
            level: 'info',
            message: `export paused after its turn so that other exports run: ${outcome.rows} plays written so far; it continues from its checkpoint after them`,
            fields: { status: outcome.status, rows: outcome.rows, bytes: outcome.bytes },
          };
        case 'moved_on':
          return { level: 'warn', message: 'another run of this export is ahead of this one: stopped', fields: { status: outcome.status } };
        case 'nothing_to_do':
          return { level: 'info', message: `nothing to do: ${outcome.reason.replace(/_/g, ' ')}`, fields: { status: outcome.status } };
      }
    },
    async afterFailure({ data, em, decision, final }) {
      if (!final) return { fields: { resumes: 'from its checkpoint' } };
      // A failed export keeps no file: what its turns wrote goes with it.
      await deleteExportFile(await failExport(em, data.exportId, decision.message));
    },
  };
}
