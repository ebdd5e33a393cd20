import { z } from 'zod';

/** The worker's import settings (docs/import.md). */
export const importWorkerEnv = {
  // Read by the worker's start command (package.json start:worker, the image's entrypoint), which passes it to node;
  // declared here so that it is validated and documented with the rest (test/deploy checks both use this default).
  WORKER_MAX_OLD_SPACE_MB: z.coerce
    .number()
    .int()
    .refine((mib) => mib === 0 || mib >= 128, 'must be 0 (Node sizes the heap) or at least 128')
    .default(256)
    .describe(
      'V8 old-space limit of the worker process in MiB, which `npm run start:worker` and the image’s `playlog worker` give node as --max-old-space-size (at least 128). 0: Node sizes the heap from the machine’s or container’s memory, and on a large host an import then grows the worker by about 90 MiB instead of 30 (docs/import.md).',
    ),
  IMPORT_CONCURRENCY: z.coerce.number().int().min(0).max(16).default(1).describe('Streaming-history imports one worker process runs at once (0: this worker runs none).'),
  IMPORT_TRACK_LOOKUPS_PER_SECOND: z.coerce
    .number()
    .int()
    .min(1)
    .default(5)
    .describe('Most Spotify track look-ups imports make per second, taken from the poll limiter (WORKER_MAX_JOBS_PER_SECOND), so polls always keep the rest; must be below it.'),
  IMPORT_CHUNK_ROWS: z.coerce.number().int().min(1).max(50_000).default(1_000).describe('Export rows stored per transaction (with the import’s checkpoint); a crash redoes at most one chunk.'),
};
