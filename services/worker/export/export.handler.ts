import { failExport } from '../../shared/db/repositories/exports.repository.js';
import type { ExportJobData } from '../../shared/jobs/job-registry.js';
import type { JobHandler } from '../jobs/queue-worker.js';
import { writeExport, type ExportOutcome, type WriteExportDeps } from './write-export.job.js';

/**
 * Export jobs: one `writeExport` each. An export whose last attempt failed is marked failed with the
 * reason, which its owner reads in GraphQL; retried from the dead-letter queue
 * (`npm run dlq -- retry <jobId> --queue export`), it is written again from the start.
 */
export function exportHandler(deps: WriteExportDeps): JobHandler<ExportJobData, ExportOutcome> {
  return {
    logFields: (data) => ({ exportId: data.exportId }),
    run: (data, em, log) => writeExport(deps, em, data.exportId, log),
    // Its row is gone (the account was deleted) or was already written: nothing of it stays in Redis either.
    forgets: (outcome) => outcome.status === 'nothing_to_do',
    report(outcome) {
      if (outcome.status === 'completed') {
        return {
          level: 'info',
          message: `export completed: ${outcome.rows} plays written, ${outcome.skipped} left out, ${outcome.bytes} bytes`,
          fields: { status: outcome.status, rows: outcome.rows, skipped: outcome.skipped, bytes: outcome.bytes },
        };
      }
      return { level: 'info', message: `nothing to do: ${outcome.reason.replace(/_/g, ' ')}`, fields: { status: outcome.status } };
    },
    async afterFailure({ data, em, decision, final }) {
      if (final) await failExport(em, data.exportId, decision.message);
    },
  };
}
