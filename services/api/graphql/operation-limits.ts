import { createRequire } from 'node:module';
import type { ApolloServerPlugin } from '@apollo/server';
import type * as Armor from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  isEnumType,
  isInputObjectType,
  isScalarType,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type TypeNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
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
  /** Most fields marked EXPENSIVE_FIELD (statistics) one operation may hold. */
  maxExpensiveFields: number;
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
 *   it selects times `first` (its page size, from the operation's variables too), and a statistics field
 *   what its range, buckets, page and zone make it read (stats/stats-cost.ts). graphql-armor's cost
 *   limit weighs depth only: it prices `listeningHistory(first: 1)` and `(first: 200)` the same
 *   (docs/security.md gives its figures), so it cannot tell one small page from two hundred plays;
 * - expensive fields (statistics, marked EXPENSIVE_FIELD): at most `maxExpensiveFields` in an operation,
 *   however cheap each is priced: each runs statements that aggregate over the listener's history;
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
  return {
    plugins: [...armorPlugins, pageCostPlugin(limits.maxCost)],
    validationRules: [...armor.validationRules, knownOperationTypesRule, expensiveFieldsRule(limits.maxExpensiveFields)],
  };
}

/** The field extensions that mark a field expensive (type-graphql: `@Extensions(EXPENSIVE_FIELD)`): it counts against maxExpensiveFields. */
export const EXPENSIVE_FIELD = { expensive: true } as const;

/**
 * Refuses an operation holding more than `max` expensive fields, counted in the document as written: a
 * fragment each time it is spread, `@skip` and `@include` not looked at. It runs with validation, so a
 * document is counted once (Apollo keeps the documents it validated), and nothing of it has run.
 */
export function expensiveFieldsRule(max: number): ValidationRule {
  return (context) => {
    // Each operation's and fragment's own expensive fields, and the fragments it spreads.
    const operations: Array<{ count: number; spreads: string[] }> = [];
    const fragments = new Map<string, { count: number; spreads: string[] }>();
    let current: { count: number; spreads: string[] } | undefined;
    const totals = new Map<string, number>();
    const totalOf = (name: string, visiting: Set<string>): number => {
      const known = totals.get(name);
      if (known !== undefined) return known;
      const fragment = fragments.get(name);
      // Unknown fragments and cycles are other rules' errors.
      if (!fragment || visiting.has(name)) return 0;
      visiting.add(name);
      const total = fragment.spreads.reduce((sum, spread) => sum + totalOf(spread, visiting), fragment.count);
      visiting.delete(name);
      totals.set(name, total);
      return total;
    };
    return {
      OperationDefinition() {
        current = { count: 0, spreads: [] };
        operations.push(current);
      },
      FragmentDefinition(node) {
        current = { count: 0, spreads: [] };
        fragments.set(node.name.value, current);
      },
      Field() {
        if (current && context.getFieldDef()?.extensions?.expensive === true) current.count += 1;
      },
      FragmentSpread(node) {
        current?.spreads.push(node.name.value);
      },
      Document: {
        leave() {
          for (const operation of operations) {
            const count = operation.spreads.reduce((sum, spread) => sum + totalOf(spread, new Set()), operation.count);
            if (count > max) {
              const message = `Operation asks for ${count} expensive fields (statistics), more than the ${max} allowed in one operation: ask for the others in another request.`;
              context.reportError(new QueryTooComplexError(message, { expensiveFields: count, maxExpensiveFields: max }));
            }
          }
        },
      },
    };
  };
}

/**
 * Refuses an operation whose estimated cost is over `maxCost`, once its variables are known: each field
 * costs 1, and a field with its own estimate (listeningHistory: what it selects times its page size; a
 * statistics field: its range, buckets, page and zone) costs that.
 *
 * The estimate walks the whole operation (a visible share of a history page's CPU), so it is remembered
 * (cost-cache.ts) per query text, operation and what of the operation's own variables can change it
 * (costVariables). Nothing else a client sends is part of a key — undeclared variables, cursors, values
 * of the wrong type — a key too long is not kept, and the cache's total size is capped in bytes, so no
 * sequence of requests makes it grow past its budget.
 */
function pageCostPlugin(maxCost: number): ApolloServerPlugin {
  const known = new CostCache();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operation, queryHash }) {
          // An unknown operationName is reported by execution, with its own code.
          if (!operation) return;
          const variables = costVariables(schema, operation, request.variables ?? {});
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
 * What of the operation's declared variables its cost can depend on, in declaration order: Int and
 * Boolean values (page sizes, `@include`/`@skip`, a year), enums, input objects and other scalars whole
 * (a statistics range and bucket), a list's length (`nodes`' ids), and whether a String or ID is given at
 * all (a statistics `timeZone` is priced by being there; cursors and ids never change a cost, and an
 * estimate must not read their values). Null (estimate, do not remember) when one holds something else
 * than its type says.
 */
function costVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): string | null {
  const parts: string[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const part = costPart(schema, definition.type, variables[definition.variable.name.value]);
    if (part === null) return null;
    parts.push(part);
  }
  return parts.join(',');
}

function costPart(schema: GraphQLSchema, type: TypeNode, value: unknown): string | null {
  if (type.kind === Kind.NON_NULL_TYPE) return costPart(schema, type.type, value);
  if (value === undefined || value === null) return '-';
  if (type.kind === Kind.LIST_TYPE) return Array.isArray(value) ? `#${value.length}` : null;
  const name = type.name.value;
  if (name === 'Int') return Number.isSafeInteger(value) ? String(value) : null;
  if (name === 'Boolean') return typeof value === 'boolean' ? String(value) : null;
  if (name === 'String' || name === 'ID') return '+';
  const named = schema.getType(name);
  // JSON, which delimits itself: no value can pass for another's and the next variable's together.
  if (isEnumType(named)) return typeof value === 'string' ? JSON.stringify(value) : null;
  if (isInputObjectType(named) || isScalarType(named)) return JSON.stringify(value);
  return null;
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
