import type { BenchSize } from './cli-options.js';
import type { ResultRow } from './results-table.js';

export interface ScenarioContext {
  size: BenchSize;
  /** Unique per run: names of databases, queue prefixes and files include it, so runs never collide. */
  runId: string;
  /** Progress on stderr (the tables go to stdout). */
  log(message: string): void;
  /** Registers a cleanup; cleanups run last-in first-out when the scenario ends, even when it throws. */
  defer(cleanup: () => Promise<void> | void): void;
  /** Spawned services write CPU profiles under this folder when set (--profile). */
  profileDir: string | null;
}

export interface ScenarioOutcome {
  rows: ResultRow[];
  notes: string[];
}

/**
 * Thrown by a scenario when this machine lacks what it needs (the image scenario without a Docker engine): the
 * runner reports it as skipped, with this message, and the run does not fail.
 */
export class ScenarioSkipped extends Error {
  override name = 'ScenarioSkipped';
}

/** One benchmark: a path of Playlog measured beside its baseline. */
export interface Scenario {
  name: string;
  title: string;
  run(context: ScenarioContext): Promise<ScenarioOutcome>;
}
