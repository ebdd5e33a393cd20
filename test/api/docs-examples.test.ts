import { readFileSync } from 'node:fs';
import { buildSchema, Kind, parse, validate, type DefinitionNode, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';

/**
 * Every GraphQL example of the API's documentation is valid against schema.graphql: each operation of
 * each ```graphql block of docs/api.md, and each query the README's curl examples send.
 */
const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

function operationsOf(document: DocumentNode): DocumentNode[] {
  const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
  return document.definitions
    .filter((definition): definition is DefinitionNode & { kind: Kind.OPERATION_DEFINITION } => definition.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => ({ kind: Kind.DOCUMENT, definitions: [operation, ...fragments] }));
}

const apiBlocks = [...read('docs/api.md').matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);
const readmeQueries = [...read('README.md').matchAll(/"query":"((?:[^"\\]|\\.)*)"/g)].map((match) => JSON.parse(`"${match[1]!}"`) as string);

describe('the GraphQL examples of the documentation', () => {
  it('are there: docs/api.md shows backward paging, node and a mutation payload', () => {
    const all = apiBlocks.join('\n');
    expect(all).toMatch(/last: \d+, before: \$before/);
    expect(all).toMatch(/node\(id: \$id\)/);
    expect(all).toMatch(/errors \{ code message \}/);
    expect(readmeQueries.length).toBeGreaterThanOrEqual(5);
  });

  it.each(apiBlocks.map((block, index) => [index + 1, block] as const))('docs/api.md block %i is valid against schema.graphql', (_index, block) => {
    const operations = operationsOf(parse(block));
    expect(operations.length).toBeGreaterThan(0);
    for (const operation of operations) expect(validate(schema, operation).map((error) => error.message)).toEqual([]);
  });

  it.each(readmeQueries.map((query) => [query.slice(0, 60), query] as const))('the README’s "%s…" is valid against schema.graphql', (_name, query) => {
    expect(validate(schema, parse(query)).map((error) => error.message)).toEqual([]);
  });
});
