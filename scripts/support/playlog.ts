import { fileURLToPath } from 'node:url';

/**
 * Playlog's one program (`playlog <command>`, the image's entrypoint). Tests, benchmarks, the demo and the chaos
 * run start every service through it, `sh scripts/playlog <command>`, so each gets the node flags it is deployed
 * with (the worker's heap limit, the lake export's) from the one place that declares them.
 */
export const PLAYLOG = fileURLToPath(new URL('../playlog', import.meta.url));
