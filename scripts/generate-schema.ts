/**
 * Prints the API's GraphQL schema to schema.graphql from the type-graphql resolvers.
 *   npm run schema:generate   writes schema.graphql
 *   npm run schema:check      fails (exit 1) when schema.graphql is not what the resolvers produce
 */
import 'reflect-metadata';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildApiSchema } from '../services/api/graphql/build-schema.js';
import { parseCommandLine, runCommandLine } from '../services/shared/cli/command-line.js';
import { writeOrCheck } from './support/generated-file.js';

const HEADER = `# Generated from the resolvers of services/api (one folder per feature) by scripts/generate-schema.ts.
# Do not edit: run \`npm run schema:generate\` after changing a resolver or type (CI runs \`npm run schema:check\`).
`;

export function printApiSchema(): string {
  return `${HEADER}\n${printSchema(lexicographicSortSchema(buildApiSchema()))}\n`;
}

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema.graphql');

const USAGE = `usage: npm run schema:generate | npm run schema:check

Prints the API's GraphQL schema, from the resolvers, to schema.graphql.
  --check      change nothing; exit 1 when schema.graphql is not what the resolvers produce (CI)
  -h, --help   this text`;

if (import.meta.url === `file://${process.argv[1]}`) {
  runCommandLine('schema', USAGE, async (argv) => {
    const { values } = parseCommandLine(argv, { check: { type: 'boolean' } });
    return writeOrCheck({ path: target, name: 'schema.graphql', command: 'npm run schema:generate' }, printApiSchema(), values.check === true);
  });
}
