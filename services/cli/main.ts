import { EXIT } from '../shared/cli/command-line.js';
import { commandNamed, commandsHelp } from './commands.js';

/**
 * `playlog <command> [options]`: Playlog's one program. Runs the named command in this process (so that it
 * receives SIGTERM itself), with the command line it would have had on its own.
 */
const [name = '', ...rest] = process.argv.slice(2);
const command = commandNamed(name);
if (command) {
  process.argv.splice(2, process.argv.length - 2, ...rest);
  await command.run();
} else if (name === 'help' || name === '--help' || name === '-h') {
  process.stdout.write(`${commandsHelp()}\n`);
} else {
  process.stderr.write(`${name ? `playlog: unknown command "${name.slice(0, 64)}"` : 'playlog: which command?'}\n${commandsHelp()}\n`);
  process.exitCode = EXIT.usage;
}
