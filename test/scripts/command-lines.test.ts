import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** A command as `npm run <script>` runs it, with no database or Redis behind it. */
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', ...args], { env: { PATH: process.env.PATH, NODE_ENV: 'test' }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Every command line of Playlog, with a usage error for each. */
const COMMANDS: Array<{ name: string; entry: string; wrong: string[]; usage: RegExp }> = [
  { name: 'dlq', entry: 'services/worker/dlq/dlq-cli.ts', wrong: ['list', '--bogus'], usage: /^usage: npm run dlq --/ },
  { name: 'import', entry: 'scripts/import.ts', wrong: ['export.zip'], usage: /^usage: npm run import --/ },
  { name: 'rotate-key', entry: 'scripts/rotate-key.ts', wrong: ['--all'], usage: /^usage: npm run rotate-key/ },
  { name: 'chaos', entry: 'scripts/chaos/main.ts', wrong: ['--minutes', 'many'], usage: /^usage: npm run chaos --/ },
  { name: 'demo', entry: 'scripts/demo/main.ts', wrong: ['--listeners', '0'], usage: /^usage: npm run demo --/ },
  { name: 'bench', entry: 'bench/run.ts', wrong: ['--size', 'huge'], usage: /^usage: npm run bench --/ },
  { name: 'schema', entry: 'scripts/generate-schema.ts', wrong: ['--chekc'], usage: /^usage: npm run schema:generate/ },
  { name: 'schema:compat', entry: 'scripts/schema-compat.ts', wrong: ['--released'], usage: /^usage: npm run schema:compat/ },
  { name: 'stats:rebuild', entry: 'scripts/stats-rebuild.ts', wrong: ['--after', 'somebody'], usage: /^usage: npm run stats:rebuild/ },
  { name: 'docs:config', entry: 'scripts/config-docs.ts', wrong: ['README.md'], usage: /^usage: npm run docs:config/ },
];

describe('command lines', () => {
  it.each(COMMANDS)('$name: --help prints its usage and exits 0, doing nothing else', async ({ entry, usage }) => {
    const help = await run([entry, '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(usage);
    expect(help.stderr).toBe('');
  });

  it.each(COMMANDS)('$name: a usage error names the problem, prints the usage and exits 2', async ({ name, entry, wrong, usage }) => {
    const refused = await run([entry, ...wrong]);
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    const [problem, ...rest] = refused.stderr.split('\n');
    expect(problem).toMatch(new RegExp(`^${name}: .+`));
    expect(rest.join('\n')).toMatch(usage);
  });
});
