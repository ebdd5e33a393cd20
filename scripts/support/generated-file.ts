import { readFileSync, writeFileSync } from 'node:fs';
import { EXIT } from '../../services/shared/cli/command-line.js';

/**
 * A generated file kept in the repository: written, or (with --check, as CI runs it) compared with
 * what the generator makes now, exiting 1 with the command that updates it when it is stale.
 */
export function writeOrCheck(target: { path: string; name: string; command: string }, content: string, check: boolean): number {
  if (!check) {
    writeFileSync(target.path, content);
    process.stdout.write(`wrote ${target.name}\n`);
    return EXIT.ok;
  }
  let current = '';
  try {
    current = readFileSync(target.path, 'utf8');
  } catch {
    // missing: stale by definition
  }
  if (current !== content) {
    process.stderr.write(`${target.name} is stale: run \`${target.command}\` and commit the result.\n`);
    return EXIT.error;
  }
  process.stdout.write(`${target.name} is up to date.\n`);
  return EXIT.ok;
}
