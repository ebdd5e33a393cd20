import type { Scenario } from '../support/scenario.js';
import { bystanderScenario } from './bystander.bench.js';
import { fanOutScenario } from './fan-out.bench.js';
import { historyScenario } from './history.bench.js';
import { imageScenario } from './image.bench.js';
import { importMemoryScenario } from './import-memory.bench.js';
import { ingestScenario } from './ingest.bench.js';
import { lakeContentionScenario } from './lake-contention.bench.js';
import { lakeExportScenario } from './lake-export.bench.js';
import { listenBrainzScenario } from './listenbrainz.bench.js';
import { memoryScenario } from './memory.bench.js';
import { personalExportScenario } from './personal-export.bench.js';
import { pollCycleMetricsScenario } from './poll-cycle-metrics.bench.js';
import { pollCycleScenario } from './poll-cycle.bench.js';
import { searchScenario } from './search.bench.js';
import { statsScenario } from './stats.bench.js';
import { webScenario } from './web.bench.js';
import { workerScalingScenario } from './worker-scaling.bench.js';

/** In the order `npm run bench` runs them. */
export const SCENARIOS: Scenario[] = [ingestScenario, pollCycleScenario, pollCycleMetricsScenario, fanOutScenario, historyScenario, statsScenario, searchScenario, bystanderScenario, listenBrainzScenario, memoryScenario, workerScalingScenario, importMemoryScenario, webScenario, personalExportScenario, lakeExportScenario, lakeContentionScenario, imageScenario];
