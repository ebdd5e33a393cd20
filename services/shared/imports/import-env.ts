import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** Where uploaded exports wait for the worker: shared by the API (writes) and the worker (reads, deletes). */
export const importStorageEnv = {
  IMPORT_DIR: z
    .string()
    .min(1)
    .default(join(tmpdir(), 'playlog-imports'))
    .describe('Directory where uploaded streaming-history exports wait until imported (deleted once done); the API and the worker must both see it (one shared volume).'),
};
