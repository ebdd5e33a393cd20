import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PLAYLOG } from '../../scripts/support/playlog.js';

/**
 * A command as its npm script runs it, with no database or Redis behind it: an operator task of the one program
 * (`sh scripts/playlog <command>`), or a development script (`node --import tsx <file>`).
 */
function run(command: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command[0]!, command.slice(1), { env: { PATH: process.env.PATH, NODE_ENV: 'test' }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const playlog = (name: string) => ['sh', PLAYLOG, name];
const script = (file: string) => [process.execPath, '--import', 'tsx', file];

/** Every command line of Playlog, with a usage error for each. */
const COMMANDS: Array<{ name: string; command: string[]; wrong: string[]; usage: RegExp }> = [
  { name: 'dlq', command: playlog('dlq'), wrong: ['list', '--bogus'], usage: /^usage: playlog dlq <command>/ },
  { name: 'import', command: playlog('import'), wrong: ['streaming-history.zip'], usage: /^usage: playlog import --user <id> <file>/ },
  { name: 'rotate-key', command: playlog('rotate-key'), wrong: ['--all'], usage: /^usage: playlog rotate-key/ },
  { name: 'stats-rebuild', command: playlog('stats-rebuild'), wrong: ['--after', 'somebody'], usage: /^usage: playlog stats-rebuild/ },
  { name: 'generate-key', command: playlog('generate-key'), wrong: ['--file'], usage: /^usage: playlog generate-key/ },
  { name: 'chaos', command: script('scripts/chaos/main.ts'), wrong: ['--minutes', 'many'], usage: /^usage: npm run chaos --/ },
  { name: 'demo', command: script('scripts/demo/main.ts'), wrong: ['--listeners', '0'], usage: /^usage: npm run demo --/ },
  { name: 'bench', command: script('bench/run.ts'), wrong: ['--size', 'huge'], usage: /^usage: npm run bench --/ },
  { name: 'schema', command: script('scripts/generate-schema.ts'), wrong: ['--chekc'], usage: /^usage: npm run schema:generate/ },
  { name: 'schema:compat', command: script('scripts/schema-compat.ts'), wrong: ['--released'], usage: /^usage: npm run schema:compat/ },
  { name: 'docs:config', command: script('scripts/config-docs.ts'), wrong: ['README.md'], usage: /^usage: npm run docs:config/ },
  { name: 'deploy:generate', command: script('scripts/deploy-generate.ts'), wrong: ['--chekc'], usage: /^usage: npm run deploy:generate/ },
];

describe('command lines', () => {
  it.each(COMMANDS)('$name: --help prints its usage and exits 0, doing nothing else', async ({ command, usage }) => {
    const help = await run([...command, '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(usage);
    expect(help.stderr).toBe('');
  });

  it.each(COMMANDS)('$name: a usage error names the problem, prints the usage and exits 2', async ({ name, command, wrong, usage }) => {
    const refused = await run([...command, ...wrong]);
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    const [problem, ...rest] = refused.stderr.split('\n');
    expect(problem).toMatch(new RegExp(`^${name}: .+`));
    expect(rest.join('\n')).toMatch(usage);
  });
});
