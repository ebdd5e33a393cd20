import { createRequire } from 'node:module';
import type { ApolloServerPlugin } from '@apollo/server';
import type * as Armor from '@escape.tech/graphql-armor';
import { GraphQLError, Kind, type ASTVisitor, type DocumentNode, type OperationDefinitionNode, type ValidationContext, type ValidationRule } from 'graphql';
import type * as QueryComplexity from 'graphql-query-complexity';
import { CostCache, costCacheKey } from './cost-cache.js';
import { QueryTooComplexError } from './query-too-complex.error.js';

// These libraries' ESM builds import graphql's `.mjs` files: a second copy of graphql beside the CommonJS
// one that Apollo and type-graphql load, and graphql refuses to mix schemas between copies. Their
// CommonJS builds share the one copy.
const load = createRequire(import.meta.url);
const { ApolloArmor } = load('@escape.tech/graphql-armor') as typeof Armor;
const { fieldExtensionsEstimator, getComplexity, simpleEstimator } = load('graphql-query-complexity') as typeof QueryComplexity;

export interface OperationLimits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
  maxDirectives: number;
  /** Hide "Did you mean …?" in errors (production: suggestions would reveal the schema introspection hides). */
  hideSuggestions: boolean;
}

/**
 * The limits every operation must keep, in the validation and planning phases, before anything runs:
 * - field counts, before Apollo even validates (http/graphql-guard.ts): validation's cost grows with the
 *   square of a selection's repeated fields, so they are counted, in linear time, first;
 * - depth, aliases and directives: graphql-armor's rules (fragments followed, introspection not counted);
 * - cost: graphql-query-complexity with each field's own estimate, because `listeningHistory` costs what
 *   it selects times `first` (its page size, from the operation's variables too). graphql-armor's cost
 *   limit weighs depth only: it prices `listeningHistory(first: 1)` and `(first: 200)` the same
 *   (docs/security.md gives its figures), so it cannot tell one small page from two hundred plays;
 * - field suggestions hidden when asked (graphql-armor);
 * - document size: graphql-js's own token limit while parsing (Apollo's `parseOptions.maxTokens`, in
 *   create-api-app.ts), rather than graphql-armor's, which parses every document a second time.
 */
export function operationLimits(limits: OperationLimits): { plugins: ApolloServerPlugin[]; validationRules: ValidationRule[] } {
  const refuse = (ctx: ValidationContext | null, error: GraphQLError) => ctx?.reportError(new QueryTooComplexError(error.message.replace(/^Syntax Error: /, '')));
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, flattenFragments: true, ignoreIntrospection: true, propagateOnRejection: false, onReject: [refuse] },
    maxAliases: { n: limits.maxAliases, propagateOnRejection: false, onReject: [refuse] },
    maxDirectives: { n: limits.maxDirectives, propagateOnRejection: false, onReject: [refuse] },
    blockFieldSuggestion: { enabled: limits.hideSuggestions },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
  }).protect();
  // graphql-armor's typings name Apollo's CommonJS build, ours its ESM one: the same classes at run time.
  const armorPlugins = armor.plugins as unknown as ApolloServerPlugin[];
  return { plugins: [...armorPlugins, pageCostPlugin(limits.maxCost)], validationRules: [...armor.validationRules, knownOperationTypesRule] };
}

/**
 * Refuses an operation whose estimated cost is over `maxCost`, once its variables are known: each field
 * costs 1, and a field with its own estimate (listeningHistory: what it selects times its page size)
 * costs that.
 *
 * The estimate walks the whole operation (a visible share of a history page's CPU), so it is remembered
 * (cost-cache.ts) per query text, operation and values of the operation's own Int and Boolean variables:
 * the only inputs that can change it (page sizes, `@include`/`@skip`). Nothing else a client sends is
 * part of a key — undeclared variables, other types, values of the wrong type — and the cache's total
 * size is capped in bytes, so no sequence of requests makes it grow past its budget.
 */
function pageCostPlugin(maxCost: number): ApolloServerPlugin {
  const known = new CostCache();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operation, queryHash }) {
          // An unknown operationName is reported by execution, with its own code.
          if (!operation) return;
          const variables = costVariables(operation, request.variables ?? {});
          const key = variables === null ? null : costCacheKey(queryHash, operation.name?.value ?? '', variables);
          let cost = key === null ? undefined : known.get(key);
          if (cost === undefined) {
            const estimated = estimateCost(schema, document, operation, request.variables ?? {});
            // Variables that do not fit their types: execution refuses them with BAD_USER_INPUT.
            if (estimated === null) return;
            cost = estimated;
            if (key !== null) known.set(key, cost);
          }
          if (cost > maxCost) throw new QueryTooComplexError(`Operation costs ${cost}, more than the ${maxCost} allowed: ask for fewer fields or smaller pages.`, { cost, maxCost });
        },
      };
    },
  };
}

function estimateCost(schema: Parameters<typeof getComplexity>[0]['schema'], document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number | null {
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
 * The values of the operation's declared Int and Boolean variables, in declaration order: what the cost
 * depends on. Null (estimate, do not remember) when one holds something else than its type says.
 */
function costVariables(operation: OperationDefinitionNode, variables: Record<string, unknown>): string | null {
  const parts: string[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const type = definition.type.kind === Kind.NON_NULL_TYPE ? definition.type.type : definition.type;
    if (type.kind !== Kind.NAMED_TYPE || (type.name.value !== 'Int' && type.name.value !== 'Boolean')) continue;
    const value = variables[definition.variable.name.value];
    if (value === undefined || value === null) parts.push('-');
    else if ((type.name.value === 'Int' && Number.isSafeInteger(value)) || (type.name.value === 'Boolean' && typeof value === 'boolean')) parts.push(String(value));
    else return null;
  }
  return parts.join(',');
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
