import {
  buildASTSchema,
  findBreakingChanges,
  findDangerousChanges,
  getNamedType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  Kind,
  parse,
  visit,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

/**
 * Whether a new schema keeps every promise the released one made. A promise is anything of the released
 * schema that is not deprecated: removing a deprecated field, argument, input field or enum value (and a
 * type only they led to) is the end of a deprecation, not a break; removing, renaming or retyping
 * anything else is. graphql-js' findBreakingChanges judges, between the released schema without its
 * deprecated parts and the new one.
 */
export interface Compatibility {
  /** Changes that break clients of the released schema: each one fails the check. */
  breaking: string[];
  /** Changes that may change what existing clients get (a new enum value, a new default): worth a look. */
  dangerous: string[];
}

export function compareSchemas(releasedSdl: string, currentSdl: string): Compatibility {
  const promised = withoutDeprecated(parse(releasedSdl));
  const current = buildASTSchema(parse(currentSdl));
  return {
    breaking: findBreakingChanges(promised, current).map((change) => describe(change.type, change.description)),
    dangerous: findDangerousChanges(promised, current).map((change) => describe(change.type, change.description)),
  };
}

const describe = (type: string, description: string) => `${type}: ${description}`;

/** The released schema as clients may rely on it: deprecated parts removed, then types nothing leads to any more. */
function withoutDeprecated(document: DocumentNode): GraphQLSchema {
  const isDeprecated = (node: { directives?: ReadonlyArray<{ name: { value: string } }> }) => node.directives?.some((directive) => directive.name.value === 'deprecated') ?? false;
  const stripped = visit(document, {
    [Kind.FIELD_DEFINITION]: (node) => (isDeprecated(node) ? null : undefined),
    [Kind.INPUT_VALUE_DEFINITION]: (node) => (isDeprecated(node) ? null : undefined),
    [Kind.ENUM_VALUE_DEFINITION]: (node) => (isDeprecated(node) ? null : undefined),
  });
  const schema = buildASTSchema(stripped);
  const reachable = reachableTypes(schema);
  const unreachable = new Set(Object.keys(schema.getTypeMap()).filter((name) => !name.startsWith('__') && !reachable.has(name)));
  if (unreachable.size === 0) return schema;
  return buildASTSchema(
    visit(stripped, {
      enter: (node) =>
        'name' in node && node.name && (node.kind.endsWith('TypeDefinition') || node.kind.endsWith('TypeExtension')) && unreachable.has(node.name.value) ? null : undefined,
    }),
  );
}

/** Every type reachable from the root types and directives, following interfaces to their implementations. */
function reachableTypes(schema: GraphQLSchema): Set<string> {
  const seen = new Set<string>();
  const queue: GraphQLNamedType[] = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((type) => type !== null && type !== undefined);
  for (const directive of schema.getDirectives()) for (const arg of directive.args) queue.push(getNamedType(arg.type));
  while (queue.length > 0) {
    const type = queue.pop()!;
    if (seen.has(type.name)) continue;
    seen.add(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        queue.push(getNamedType(field.type));
        for (const arg of field.args) queue.push(getNamedType(arg.type));
      }
      queue.push(...type.getInterfaces());
      if (isInterfaceType(type)) queue.push(...schema.getPossibleTypes(type));
    } else if (isUnionType(type)) {
      queue.push(...type.getTypes());
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) queue.push(getNamedType(field.type));
    }
  }
  return seen;
}

