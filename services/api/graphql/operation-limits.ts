import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';
import { createRequire } from 'node:module';
import type { ApolloServerPlugin } from '@apollo/server';
import type * as QueryComplexity from 'graphql-query-complexity';
import { ApiError } from './errors.js';

// graphql-query-complexity's ESM build imports graphql's `.mjs` files: a second copy of graphql beside the
// CommonJS one that Apollo and type-graphql load, and graphql refuses to mix schemas between copies.
// Its CommonJS build shares the one copy.
const { fieldExtensionsEstimator, getComplexity, simpleEstimator } = createRequire(import.meta.url)('graphql-query-complexity') as typeof QueryComplexity;

const tooComplex = (message: string) => new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } });

/**
 * Refuses operations nested deeper than `maxDepth` fields. Fragments are followed, and each fragment's
 * depth is computed once (memoised), so a document that spreads fragments into fragments cannot make
 * this rule slow; a fragment cycle counts as no depth (graphql-js reports the cycle itself).
 * Introspection (`__schema`, `__type`) is not counted: its standard query is deep, and it is off in production.
 */
export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
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
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet);
        if (depth > maxDepth) context.reportError(tooComplex(`Operation is nested ${depth} levels deep; at most ${maxDepth} are allowed.`));
      },
    };
  };
}

/** Refuses documents with more than `maxAliases` aliased fields (aliases multiply the work of one request). */
export function aliasLimitRule(maxAliases: number) {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    let reported = false;
    return {
      Field(node) {
        if (!node.alias || reported) return;
        aliases += 1;
        if (aliases > maxAliases) {
          reported = true;
          context.reportError(tooComplex(`Operation uses more than ${maxAliases} aliases.`));
        }
      },
    };
  };
}

/**
 * Refuses operations whose estimated cost exceeds `maxCost`, once variables are known (a validation
 * rule cannot see them). A field costs 1 plus its children; `listeningHistory` multiplies by `first`.
 */
export function costLimitPlugin(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          let cost: number;
          try {
            cost = getComplexity({
              schema,
              query: document,
              variables: request.variables ?? {},
              ...(request.operationName ? { operationName: request.operationName } : {}),
              estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (error) {
            // Variables that do not fit their types are reported by execution with their own code.
            if (error instanceof GraphQLError) return;
            throw error;
          }
          if (cost > maxCost) {
            throw new ApiError('QUERY_TOO_COMPLEX', `Operation costs ${cost}, more than the ${maxCost} allowed: ask for fewer fields or smaller pages.`, {
              httpStatus: 400,
              extensions: { cost, maxCost },
            });
          }
        },
      };
    },
  };
}
