import { finishImport } from '../../shared/db/repositories/imports.repository.js';
import type { ImportJobData } from '../../shared/jobs/job-registry.js';
import type { JobHandler } from '../jobs/queue-worker.js';
import { importExport, type ImportExportDeps, type ImportOutcome } from './import-export.job.js';

/**
 * Import jobs: one `importExport` each, resumable from the import's checkpoint. An import whose last
 * attempt failed is marked failed with the reason, which the user reads in GraphQL; retried from the
 * dead-letter queue (`npm run dlq -- retry <jobId> --queue import`), it resumes from its checkpoint.
 */
export function importHandler(deps: ImportExportDeps): JobHandler<ImportJobData, ImportOutcome> {
  return {
    logFields: (data) => ({ importId: data.importId }),
    run: (data, em, log) => importExport(deps, em, data.importId, log),
    report(outcome) {
      switch (outcome.status) {
        case 'completed': {
          const { counts } = outcome;
          return { level: 'info', message: `import completed: ${counts.stored} new plays, ${counts.duplicates} already stored, ${counts.rowsRead} rows read`, fields: { status: outcome.status, ...counts } };
        }
        case 'cancelled':
          return { level: 'info', message: 'import cancelled by the user: stopped; plays of earlier chunks are kept', fields: { status: outcome.status, ...outcome.counts } };
        case 'moved_on':
          return { level: 'warn', message: 'another run of this import is ahead of this one: stopped', fields: { status: outcome.status } };
        case 'nothing_to_do':
          return { level: 'info', message: `nothing to do: ${outcome.reason.replace(/_/g, ' ')}`, fields: { status: outcome.status } };
      }
    },
    async afterFailure({ data, em, decision, final }) {
      if (final) await finishImport(em, data.importId, 'failed', decision.message);
      if (!final) return { fields: { resumes: 'from its checkpoint' } };
    },
  };
}
