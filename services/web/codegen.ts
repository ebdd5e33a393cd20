import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * GraphQL Code Generator's configuration for the web app (run from the repository's root):
 *   npm run web:codegen              writes src/graphql/generated.ts from schema.graphql and src/**\/*.graphql
 *   npm run web:codegen -- --check   changes nothing; exits 1 when that file is not what they give (CI)
 * Every operation is validated against the schema, fragments of other files included: one that does not
 * fit fails here, before the app is built.
 */
const HEADER = `// Generated from schema.graphql and services/web/src/**/*.graphql by GraphQL Code Generator (services/web/codegen.ts).
// Do not edit: run \`npm run web:codegen\` after changing an operation or the schema (CI runs it with --check).`;

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: 'services/web/src/**/*.graphql',
  // No file to write or nothing to type is a mistake, not a quiet success.
  ignoreNoDocuments: false,
  generates: {
    'services/web/src/graphql/generated.ts': {
      plugins: [{ add: { content: HEADER } }, 'typescript-operations', 'typed-document-node'],
      config: {
        scalars: { DateTime: 'string', SafeInt: 'number' },
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: true,
        skipTypename: false,
      },
    },
  },
};

export default config;
