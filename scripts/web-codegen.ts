/**
 * Types the web app's GraphQL operations from schema.graphql (GraphQL Code Generator):
 *   npm run web:codegen           writes services/web/src/graphql/generated.ts from services/web/src/**\/*.graphql
 *   npm run web:codegen -- --check fails (exit 1) when that file is not what the schema and operations give
 * An operation that does not validate against the schema fails here, before the app is built.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codegen } from '@graphql-codegen/core';
import * as typedDocumentNode from '@graphql-codegen/typed-document-node';
import * as typescriptOperations from '@graphql-codegen/typescript-operations';
import { buildSchema, concatAST, parse, validate, type DocumentNode } from 'graphql';
import { parseCommandLine, runCommandLine } from '../services/shared/cli/command-line.js';
import { writeOrCheck } from './support/generated-file.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SOURCES = join(ROOT, 'services/web/src');
const TARGET = join(SOURCES, 'graphql/generated.ts');

const HEADER = `// Generated from schema.graphql and services/web/src/**/*.graphql by scripts/web-codegen.ts.
// Do not edit: run \`npm run web:codegen\` after changing an operation or the schema (CI runs it with --check).
`;

function operationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? operationFiles(join(dir, entry.name)) : entry.name.endsWith('.graphql') ? [join(dir, entry.name)] : []))
    .sort();
}

export async function generateWebOperations(): Promise<string> {
  const schemaText = readFileSync(join(ROOT, 'schema.graphql'), 'utf8');
  const schema = buildSchema(schemaText);
  const documents = operationFiles(SOURCES).map((file) => ({ location: relative(ROOT, file), document: parse(readFileSync(file, 'utf8')) as DocumentNode }));
  // Validated together: an operation may spread a fragment another file declares (shared/figures.graphql).
  const errors = validate(schema, concatAST(documents.map((one) => one.document)));
  if (errors.length > 0) throw new Error(`the web app's operations do not fit schema.graphql: ${errors.map((error) => `${error.message}`).join('; ')}`);
  const output = await codegen({
    filename: TARGET,
    schema: parse(schemaText),
    documents,
    config: {
      scalars: { DateTime: 'string', SafeInt: 'number' },
      enumsAsTypes: true,
      useTypeImports: true,
      avoidOptionals: true,
      skipTypename: false,
    },
    plugins: [{ typescriptOperations: {} }, { typedDocumentNode: {} }],
    pluginMap: { typescriptOperations, typedDocumentNode },
  });
  return `${HEADER}${output}`;
}

const USAGE = `usage: npm run web:codegen [-- --check]

Writes services/web/src/graphql/generated.ts: the web app's operations (services/web/src/**/*.graphql), typed from schema.graphql.
  --check      change nothing; exit 1 when the file is stale (CI)
  -h, --help   this text`;

if (import.meta.url === `file://${process.argv[1]}`) {
  runCommandLine('web:codegen', USAGE, async (argv) => {
    const { values } = parseCommandLine(argv, { check: { type: 'boolean' } });
    const target = { path: TARGET, name: relative(ROOT, TARGET), command: 'npm run web:codegen' };
    return writeOrCheck(target, await generateWebOperations(), values.check === true);
  });
}
