import { ConfigError } from '../config/load-config.js';

type Stoppable = () => Promise<void>;

export interface RunServiceOptions {
  /**
   * What SIGTERM/SIGINT do while main() is still starting. 'exit' (the default): exit at once, for commands
   * whose work is safe to cut anywhere. 'stop-once-started': let start-up finish, then run the returned stop
   * function, for a service that may already hold work when the signal comes (a worker's first jobs).
   */
  signalWhileStarting?: 'exit' | 'stop-once-started';
  /**
   * What `playlog <service> --help` prints. A service takes no arguments (its configuration is its environment):
   * any other argument prints this on stderr and exits 2.
   */
  usage?: string;
}

/**
 * Runs a service's main function: a configuration error becomes one clear line on stderr and exit 1,
 * SIGTERM/SIGINT call the returned stop function once (graceful shutdown), then the process exits.
 */
export function runService(name: string, main: () => Promise<Stoppable | void>, options: RunServiceOptions = {}): void {
  if (options.usage !== undefined && refusedArguments(name, options.usage)) return;
  let stop: Stoppable | undefined;
  let stopping = false;

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${name}: ${signal} received, shutting down\n`);
    const stillStarting = stop === undefined && options.signalWhileStarting === 'stop-once-started';
    if (stillStarting) process.stderr.write(`${name}: still starting; stopping once started\n`);
    // A start-up that fails instead already reports and exits below.
    const stopFunction = stillStarting ? started.then((result) => result ?? undefined, () => new Promise<never>(() => undefined)) : Promise.resolve(stop);
    stopFunction
      .then((stopNow) => (stopNow ? stopNow() : undefined))
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`${name}: shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  // Called once the handlers are in place (a signal before them would kill the process); they run from the
  // event loop, so `started` is set by the time one does.
  const started = main();
  started.then(
    (result) => {
      if (result) stop = result;
    },
    (error: unknown) => {
      // One line that names the problem; the stack only helps when the cause is our own code.
      if (error instanceof ConfigError) {
        process.stderr.write(`${name}: ${error.message}\n`);
      } else {
        const detail = error instanceof Error ? (process.env.LOG_LEVEL === 'debug' ? (error.stack ?? error.message) : error.message) : String(error);
        process.stderr.write(`${name}: failed to start: ${detail}\n`);
      }
      process.exit(1);
    },
  );
}

/** Handles `--help` and stray arguments of a service; true when it has (the process is exiting). */
function refusedArguments(name: string, usage: string): boolean {
  const argv = process.argv.slice(2);
  if (argv.length === 0) return false;
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage.trimEnd()}\n`);
    process.exitCode = 0;
  } else {
    process.stderr.write(`${name}: takes no arguments (its configuration is its environment), not "${argv.join(' ').slice(0, 80)}"\n${usage.trimEnd()}\n`);
    process.exitCode = 2;
  }
  return true;
}
