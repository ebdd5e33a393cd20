/**
 * Every command of `playlog` (the image's entrypoint, `npm run playlog -- <command>`), declared once:
 * `playlog help` lists them from here and the dispatcher runs them from here. Each module runs its command
 * when imported, reading its own arguments (`--help` included) from the command line.
 */
export interface PlaylogCommand {
  name: string;
  /** One line for `playlog help`. */
  summary: string;
  /** A long-running service (stopped by SIGTERM) or a one-off operator task. */
  kind: 'service' | 'task';
  run(): Promise<unknown>;
}

export const COMMANDS: readonly PlaylogCommand[] = [
  { name: 'api', kind: 'service', summary: 'the GraphQL API, the web app and the job dashboard', run: () => import('../api/main.js') },
  { name: 'worker', kind: 'service', summary: 'the job workers: polls, token refresh, imports, personal exports', run: () => import('../worker/main.js') },
  { name: 'scheduler', kind: 'service', summary: 'enqueues a poll for every due user, once (CronJob) or every SCHEDULER_LOOP_SECONDS', run: () => import('../scheduler/main.js') },
  { name: 'emulator', kind: 'service', summary: 'the Spotify emulator with synthetic listeners (demo, development)', run: () => import('../spotify-emulator/main.js') },
  { name: 'migrate', kind: 'task', summary: 'applies pending database migrations, then exits', run: () => import('./migrate.js') },
  { name: 'lake-export', kind: 'task', summary: 'brings the data lake up to date (once, or every LAKE_EXPORT_LOOP_SECONDS)', run: () => import('../lake-export/main.js') },
  { name: 'dlq', kind: 'task', summary: 'lists, retries and purges failed jobs (the dead-letter queues)', run: () => import('../worker/dlq/dlq-cli.js') },
  { name: 'import', kind: 'task', summary: "queues a Spotify streaming history file for a user's import", run: () => import('./import-history.js') },
  { name: 'generate-key', kind: 'task', summary: 'makes a new TOKEN_ENCRYPTION_KEYS key (printed, or written to a file once)', run: () => import('./generate-key.js') },
  { name: 'rotate-key', kind: 'task', summary: 're-encrypts stored Spotify tokens with the first TOKEN_ENCRYPTION_KEYS key', run: () => import('./rotate-key.js') },
  { name: 'stats-rebuild', kind: 'task', summary: "recomputes every user's statistics rollups from their plays", run: () => import('./stats-rebuild.js') },
];

export const commandNamed = (name: string): PlaylogCommand | undefined => COMMANDS.find((command) => command.name === name);

export function commandsHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const list = (kind: PlaylogCommand['kind']) =>
    COMMANDS.filter((command) => command.kind === kind)
      .map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`)
      .join('\n');
  return `usage: playlog <command> [options]      (from a checkout: npm run playlog -- <command> [options])

services:
${list('service')}

operator tasks:
${list('task')}

playlog <command> --help describes one command. Configuration comes from the environment (docs/operations.md).`;
}
