import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCommandLine, UsageError } from '../services/shared/cli/command-line.js';
import { parseCliOptions, USAGE, type CliOptions } from './support/cli-options.js';
import { leftoverBenchDatabases } from './support/bench-database.js';
import { describeMachine, loadAverage, renderMachine, type MachineDescription } from './support/machine.js';
import { renderMarkdown, renderText, type ScenarioResult } from './support/results-table.js';
import { ScenarioSkipped, type ScenarioContext } from './support/scenario.js';
import { dropSharedDatabases } from './support/shared-databases.js';
import { SCENARIOS } from './scenarios/index.js';

/**
 * `npm run bench -- [--size small|default] [--only a,b] [--report file.md] [--profile]`
 * Runs each scenario, prints its table (figure, baseline from the same run, ratio, target), cleans up.
 * A missed target is reported, not fatal (benchmarks are not tests); a scenario that crashes makes
 * the run exit 1, so the CI smoke run fails loudly. A scenario that throws ScenarioSkipped (this machine lacks
 * what it needs: Docker for `image`) is reported as skipped, with its reason, and does not fail the run.
 */
const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);

let pendingCleanups: Array<() => Promise<void> | void> = [];

async function runCleanups(): Promise<void> {
  const cleanups = pendingCleanups.reverse();
  pendingCleanups = [];
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (error) {
      log(`cleanup failed: ${(error as Error).message}`);
    }
  }
}

function onSignal(signal: NodeJS.Signals) {
  log(`${signal}: cleaning up`);
  void runCleanups()
    .then(dropSharedDatabases)
    .finally(() => process.exit(130));
}

function selectScenarios(options: CliOptions) {
  if (options.only.length === 0) return SCENARIOS;
  const unknown = options.only.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length) throw new UsageError(`unknown scenario(s) ${unknown.join(', ')}: choose from ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return SCENARIOS.filter((scenario) => options.only.includes(scenario.name));
}

function writeReport(file: string, options: CliOptions, machine: MachineDescription, results: ScenarioResult[], failures: string[], skipped: string[], seconds: number) {
  const command = ['npm run bench --', `--size ${options.size}`, ...(options.only.length ? [`--only ${options.only.join(',')}`] : [])].join(' ');
  const lines = [
    `Command: \`${command}\` (${seconds.toFixed(0)} s in all)`,
    '',
    ...renderMachine(machine).map((line) => `- ${line}`),
    '',
    ...results.flatMap((result) => [renderMarkdown(result), '']),
    ...(skipped.length ? ['Scenarios skipped:', '', ...skipped.map((skip) => `- ${skip}`), ''] : []),
    ...(failures.length ? ['Scenarios that crashed:', '', ...failures.map((failure) => `- ${failure}`), ''] : []),
  ];
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, lines.join('\n'));
  log(`report written to ${file}`);
}

async function main(argv: string[]): Promise<number> {
  const options = parseCliOptions(argv);
  const scenarios = selectScenarios(options);
  const runId = randomBytes(3).toString('hex');
  const started = Date.now();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const machine = await describeMachine();
  console.log(renderMachine(machine).join('\n'));
  console.log(`size ${options.size}; scenarios: ${scenarios.map((s) => s.name).join(', ')}; load average ${loadAverage()}`);
  if (options.size === 'small') console.log('smoke run: sizes far below those the targets are set for; it proves every scenario runs, not that targets are met');
  console.log('');
  const leftovers = await leftoverBenchDatabases();
  if (leftovers.length) log(`warning: databases left by an interrupted bench run (drop them when no run is going): ${leftovers.join(', ')}`);

  const profileDir = options.profile ? path.resolve('bench/profiles', runId) : null;
  if (profileDir) mkdirSync(profileDir, { recursive: true });

  const results: ScenarioResult[] = [];
  const failures: string[] = [];
  const skipped: string[] = [];
  try {
    for (const scenario of scenarios) {
      const context: ScenarioContext = {
        size: options.size,
        runId,
        log: (message) => log(`${scenario.name}: ${message}`),
        defer: (cleanup) => void pendingCleanups.push(cleanup),
        profileDir,
      };
      const scenarioStarted = Date.now();
      const loadBefore = loadAverage();
      log(`${scenario.name}: starting (${scenario.title})`);
      try {
        const outcome = await scenario.run(context);
        const result: ScenarioResult = {
          scenario: scenario.name,
          title: scenario.title,
          rows: outcome.rows,
          notes: [...outcome.notes, `load average (1, 5, 15 min) before: ${loadBefore}, after: ${loadAverage()}`],
          seconds: (Date.now() - scenarioStarted) / 1000,
        };
        results.push(result);
        console.log(`${renderText(result)}\n`);
      } catch (error) {
        if (error instanceof ScenarioSkipped) {
          skipped.push(`${scenario.name}: ${error.message}`);
          log(`${scenario.name}: skipped: ${error.message}`);
          console.log(`== ${scenario.name}: ${scenario.title}: skipped: ${error.message}\n`);
          continue;
        }
        failures.push(`${scenario.name}: ${(error as Error).message}`);
        log(`${scenario.name}: CRASHED: ${(error as Error).stack ?? String(error)}`);
      } finally {
        await runCleanups();
      }
    }
  } finally {
    await dropSharedDatabases();
  }

  const seconds = (Date.now() - started) / 1000;
  const misses = results.flatMap((result) => result.rows.filter((row) => row.pass === false).map((row) => `${result.scenario}: ${row.figure}`));
  const skips = skipped.length ? `; ${skipped.length} skipped (${skipped.join('; ')})` : '';
  console.log(`${results.length} scenario(s) in ${seconds.toFixed(0)} s${skips}; targets missed: ${misses.length ? `\n  - ${misses.join('\n  - ')}` : 'none'}`);
  if (options.report) writeReport(options.report, options, machine, results, failures, skipped, seconds);
  if (failures.length) {
    console.error(`\n${failures.length} scenario(s) CRASHED:\n  - ${failures.join('\n  - ')}`);
    return 1;
  }
  return 0;
}

runCommandLine('bench', USAGE, async (argv) => {
  try {
    return await main(argv);
  } catch (error) {
    await dropSharedDatabases();
    throw error;
  }
});
