import { ConfigError } from '../config/load-config.js';

type Stoppable = () => Promise<void>;

/**
 * Runs a service's main function: a configuration error becomes one clear line on stderr and exit 1,
 * SIGTERM/SIGINT call the returned stop function once (graceful shutdown), then the process exits.
 */
export function runService(name: string, main: () => Promise<Stoppable | void>): void {
  let stop: Stoppable | undefined;
  let stopping = false;

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${name}: ${signal} received, shutting down\n`);
    const done = stop ? stop() : Promise.resolve();
    done.then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${name}: shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  main().then(
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
