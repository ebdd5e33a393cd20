import { z } from 'zod';

/** The worker's import settings (docs/import.md). */
export const importWorkerEnv = {
  IMPORT_CONCURRENCY: z.coerce.number().int().min(0).max(16).default(1).describe('Streaming-history imports one worker process runs at once (0: this worker runs none).'),
  IMPORT_TRACK_LOOKUPS_PER_SECOND: z.coerce
    .number()
    .int()
    .min(1)
    .default(5)
    .describe('Most Spotify track look-ups imports make per second, taken from the poll limiter (WORKER_MAX_JOBS_PER_SECOND), so polls always keep the rest; must be below it.'),
  IMPORT_CHUNK_ROWS: z.coerce.number().int().min(1).max(50_000).default(1_000).describe('Export rows stored per transaction (with the import’s checkpoint); a crash redoes at most one chunk.'),
};
