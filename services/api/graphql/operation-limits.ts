import { createRequire } from 'node:module';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, visit, type ASTVisitor, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';
import type * as QueryComplexity from 'graphql-query-complexity';

// graphql-query-complexity's ESM build imports graphql's `.mjs` files: a second copy of graphql beside the
// CommonJS one that Apollo and type-graphql load, and graphql refuses to mix schemas between copies.
// Its CommonJS build shares the one copy.
const { fieldExtensionsEstimator, getComplexity, simpleEstimator } = createRequire(import.meta.url)('graphql-query-complexity') as typeof QueryComplexity;

export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
}

const tooComplex = (message: string, extensions: Record<string, unknown>) =>
  new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', ...extensions, http: { status: 400 } } });

/**
 * Refuses operations that are too deep, use too many aliases, or cost too much, with QUERY_TOO_COMPLEX
 * and HTTP 400. Runs once the operation is resolved and validated (graphql-js and Apollo's
 * `maxRecursiveSelections` have already refused fragment cycles and fragment bombs) and its variables
 * are known, so `listeningHistory(first: $n)` is priced with the real `$n`.
 */
export function operationLimitsPlugin(limits: OperationLimits): ApolloServerPlugin {
  // Apollo hands the same parsed document to every request with the same query text, so what depends
  // only on the document is measured once per document, and the cost once per document and variables.
  const depths = new WeakMap<OperationDefinitionNode, number>();
  const aliasCounts = new WeakMap<DocumentNode, number>();
  const costs = new WeakMap<OperationDefinitionNode, Map<string, number>>();

  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operation }) {
          // An unknown operationName is reported by execution, with its own code.
          if (!operation) return;
          let depth = depths.get(operation);
          if (depth === undefined) depths.set(operation, (depth = operationDepth(document, operation)));
          if (depth > limits.maxDepth) {
            throw tooComplex(`Operation is nested ${depth} levels deep; at most ${limits.maxDepth} are allowed.`, { depth, maxDepth: limits.maxDepth });
          }
          let aliases = aliasCounts.get(document);
          if (aliases === undefined) aliasCounts.set(document, (aliases = aliasCount(document)));
          if (aliases > limits.maxAliases) {
            throw tooComplex(`Operation uses ${aliases} aliases; at most ${limits.maxAliases} are allowed.`, { aliases, maxAliases: limits.maxAliases });
          }
          const variables = request.variables ?? {};
          const byVariables = costs.get(operation) ?? new Map<string, number>();
          costs.set(operation, byVariables);
          const key = costKey(variables);
          const cost = byVariables.get(key) ?? estimateCost(schema, document, operation, variables);
          // null: variables that do not fit their types, which execution refuses with BAD_USER_INPUT.
          // Never cached: a later request with the same key but fitting variables is priced afresh.
          if (cost === null) return;
          if (!byVariables.has(key)) {
            // Bounded: a client cycling through values cannot grow this without limit.
            if (byVariables.size >= 256) byVariables.clear();
            byVariables.set(key, cost);
          }
          if (cost > limits.maxCost) {
            throw tooComplex(`Operation costs ${cost}, more than the ${limits.maxCost} allowed: ask for fewer fields or smaller pages.`, {
              cost,
              maxCost: limits.maxCost,
            });
          }
        },
      };
    },
  };
}

function estimateCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number | null {
  try {
    return getComplexity({
      schema,
      query: document,
      variables,
      ...(operation.name ? { operationName: operation.name.value } : {}),
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch {
    return null;
  }
}

/**
 * What of the variables can change an operation's cost: numbers (page sizes) and booleans (`@skip` and
 * `@include`). Strings (cursors, dates, login codes) cannot, so requests that differ only in them share
 * one estimate. Anything else (objects, arrays) keys on its full value.
 */
function costKey(variables: Record<string, unknown>): string {
  const relevant = Object.entries(variables)
    .filter(([, value]) => typeof value !== 'string')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify(relevant);
}

/**
 * How deeply an operation nests fields, fragments followed. Each fragment's depth is computed once
 * (memoised), so spreading fragments into fragments cannot make this slow. Introspection (`__schema`,
 * `__type`) is not counted: its standard query is deep, and it is off in production.
 */
export function operationDepth(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const fragmentDepths = new Map<string, number>();
  const inProgress = new Set<string>();
  const fragmentDepth = (name: string): number => {
    const known = fragmentDepths.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    if (!fragment || inProgress.has(name)) return 0;
    inProgress.add(name);
    const depth = depthOf(fragment.selectionSet);
    inProgress.delete(name);
    fragmentDepths.set(name, depth);
    return depth;
  };
  const depthOf = (selectionSet: SelectionSetNode | undefined): number => {
    if (!selectionSet) return 0;
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!selection.name.value.startsWith('__')) deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet));
      } else {
        deepest = Math.max(deepest, fragmentDepth(selection.name.value));
      }
    }
    return deepest;
  };
  return depthOf(operation.selectionSet);
}

/** Aliased fields in the document (aliases multiply the work one request asks for). */
export function aliasCount(document: DocumentNode): number {
  let aliases = 0;
  visit(document, {
    Field(node) {
      if (node.alias) aliases += 1;
    },
  });
  return aliases;
}

/**
 * Refuses operations of a type the schema has no root for (this API has no subscriptions). graphql-js 16
 * lets them through validation and fails them at execution with no error code; this makes them
 * GRAPHQL_VALIDATION_FAILED, like any other invalid document (graphql-js 17 adds the same rule).
 */
export function knownOperationTypesRule(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema();
  return {
    OperationDefinition(node) {
      const root = node.operation === 'query' ? schema.getQueryType() : node.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
      if (!root) context.reportError(new GraphQLError(`This API does not support ${node.operation} operations.`, { nodes: node }));
    },
  };
}
