import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../config/load-config.js';

/** A command line that does not say what the command accepts: the command prints its usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes every Playlog command shares (a command may add its own above 2). */
export const EXIT = { ok: 0, error: 1, usage: 2 } as const;

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `node:util` parseArgs, strict, with `-h/--help` declared for every command; what it refuses (an unknown
 * option, a missing value, a stray positional) becomes a UsageError naming it.
 */
export function parseCommandLine<const O extends Options>(argv: readonly string[], options: O, settings: { positionals?: boolean } = {}) {
  try {
    return parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: settings.positionals ?? false, strict: true });
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(error.message);
    throw error;
  }
}

/** A whole number of at least `min` from an option's text. */
export function wholeNumberOption(name: string, text: string | undefined, fallback: number, range: { min: number; max?: number }): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < range.min || (range.max !== undefined && value > range.max)) {
    throw new UsageError(`--${name} takes a whole number ${range.max === undefined ? `of at least ${range.min}` : `from ${range.min} to ${range.max}`}, not "${text}"`);
  }
  return value;
}

/**
 * Runs a command's main function and exits with its code: `-h`/`--help` prints the usage on stdout and
 * exits 0; a UsageError prints the problem and the usage on stderr and exits 2; a configuration error
 * its one line and 1; anything else `<name>: <message>` and 1.
 */
export function runCommandLine(name: string, usage: string, main: (argv: string[]) => Promise<number>): void {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage.trimEnd()}\n`);
    process.exit(EXIT.ok);
  }
  main(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${name}: ${error.message}\n${usage.trimEnd()}\n`);
        process.exit(EXIT.usage);
      }
      process.stderr.write(`${name}: ${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n`);
      process.exit(EXIT.error);
    },
  );
}
