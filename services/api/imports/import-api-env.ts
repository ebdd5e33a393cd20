import { z } from 'zod';
import { importStorageEnv } from '../../shared/imports/import-env.js';

/** The API's import settings (docs/import.md). */
export const importApiEnv = {
  ...importStorageEnv,
  IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(1024 * 1024 * 1024)
    .describe('Largest streaming-history upload (zip or JSON) POST /imports accepts, in bytes; bigger ones get 413.'),
  IMPORT_MAX_PENDING: z.coerce.number().int().min(1).default(5).describe('Most imports one user may have queued or running at once; more uploads get 429.'),
};
