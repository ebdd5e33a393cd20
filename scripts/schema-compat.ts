/**
 * The schema check of CI: schema.graphql against the last released schema (docs/released-schema.graphql).
 *   npm run schema:compat    fails (exit 1) on a change that breaks clients of the released schema
 *   npm run schema:release   makes schema.graphql the released schema (when a version of Playlog is released)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, parseCommandLine, runCommandLine } from '../services/shared/cli/command-line.js';
import { compareSchemas } from './schema/breaking-changes.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CURRENT = join(root, 'schema.graphql');
const RELEASED = join(root, 'docs', 'released-schema.graphql');

const RELEASED_HEADER = `# The GraphQL schema of the last Playlog release: what clients may rely on.
# Do not edit: \`npm run schema:release\` copies schema.graphql here when a version is released.
# \`npm run schema:compat\` (CI) fails on any change from it that breaks a client without going
# through @deprecated(reason:) first (docs/api.md, "Evolving the schema").
`;

const USAGE = `usage: npm run schema:compat [-- --released FILE --current FILE] | npm run schema:release

Compares schema.graphql with the released schema (docs/released-schema.graphql) and exits 1 on a
breaking change: a field, argument, input field, enum value or type removed or renamed without being
deprecated in the release, a type changed, an argument or input field made required.
  --released FILE   the released schema to compare with (default docs/released-schema.graphql)
  --current FILE    the schema to check (default schema.graphql)
  --release         make schema.graphql the released schema (npm run schema:release)
  -h, --help        this text`;

/** schema.graphql without its generated header: the released file gets its own. */
const body = (sdl: string) => sdl.replace(/^(#.*\n)+\n?/, '');

if (import.meta.url === `file://${process.argv[1]}`) {
  runCommandLine('schema:compat', USAGE, async (argv) => {
    const { values } = parseCommandLine(argv, { released: { type: 'string' }, current: { type: 'string' }, release: { type: 'boolean' } });
    if (values.release) {
      writeFileSync(RELEASED, `${RELEASED_HEADER}\n${body(readFileSync(CURRENT, 'utf8'))}`);
      process.stdout.write(`wrote ${RELEASED}\n`);
      return EXIT.ok;
    }
    const releasedFile = values.released ?? RELEASED;
    const currentFile = values.current ?? CURRENT;
    const { breaking, dangerous } = compareSchemas(readFileSync(releasedFile, 'utf8'), readFileSync(currentFile, 'utf8'));
    for (const change of dangerous) process.stdout.write(`note (may change what clients get): ${change}\n`);
    if (breaking.length > 0) {
      process.stderr.write(
        `${currentFile} breaks clients of the released schema (${releasedFile}):\n${breaking.map((change) => `  ${change}`).join('\n')}\n` +
          'Keep the old field, argument or value and mark it @deprecated(reason: "…") instead; remove it only after a release that carried the deprecation.\n',
      );
      return EXIT.error;
    }
    process.stdout.write(`${currentFile} keeps every promise of the released schema.\n`);
    return EXIT.ok;
  });
}
