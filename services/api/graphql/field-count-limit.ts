import { Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

export interface FieldCountLimits {
  /** Fields of the whole document, each fragment counted every time it is spread. */
  maxFields: number;
  /** Fields merged into one response field: the same response name at the same path, fragments included. */
  maxSameName: number;
}

/** What is over a limit, or null when the document keeps both. */
export type FieldCountExcess =
  | { limit: 'fields'; count: number }
  | { limit: 'sameName'; name: string; count: number }
  /** A fragment spread within itself: invalid, and its expansions would have no end. */
  | { limit: 'cycle'; name: string };

/**
 * Whether a document keeps both limits, in time linear in its size whatever it holds:
 * - first its fields are counted with each fragment's count worked out once, however often it is spread,
 *   so a fragment bomb is refused without being expanded;
 * - then, the document being known to expand to at most `maxFields` fields, the fields that would be
 *   merged into one response field are counted path by path. Validation compares every pair of them,
 *   and the pairs of their sub-fields, so this count is what its cost grows with.
 * A fragment spread within itself is reported as such, before its expansions are walked.
 */
export function fieldCountExcess(document: DocumentNode, limits: FieldCountLimits): FieldCountExcess | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const { total, cycle } = expandedFieldCount(document, fragments, limits.maxFields);
  if (cycle) return { limit: 'cycle', name: cycle };
  if (total > limits.maxFields) return { limit: 'fields', count: total };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const excess = mergedExcess([definition.selectionSet], fragments, limits.maxSameName);
    if (excess) return excess;
  }
  return null;
}

/**
 * Fields of the document with fragments expanded, counted without expanding them, and the first fragment
 * found spread within itself; stops once past `max` or at a cycle.
 */
function expandedFieldCount(document: DocumentNode, fragments: Map<string, FragmentDefinitionNode>, max: number): { total: number; cycle?: string } {
  const known = new Map<string, number>();
  const inProgress = new Set<string>();
  let cycle: string | undefined;
  const countFragment = (name: string): number => {
    const cached = known.get(name);
    if (cached !== undefined) return cached;
    const fragment = fragments.get(name);
    if (!fragment) return 0;
    if (inProgress.has(name)) {
      cycle ??= name;
      return max + 1;
    }
    inProgress.add(name);
    const counted = countSet(fragment.selectionSet);
    inProgress.delete(name);
    known.set(name, counted);
    return counted;
  };
  const countSet = (set: SelectionSetNode): number => {
    let fields = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) fields += 1 + (selection.selectionSet ? countSet(selection.selectionSet) : 0);
      else if (selection.kind === Kind.INLINE_FRAGMENT) fields += countSet(selection.selectionSet);
      else fields += countFragment(selection.name.value);
      if (fields > max) return fields;
    }
    return fields;
  };
  let total = 0;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) total += countSet(definition.selectionSet);
    if (total > max) return { total, ...(cycle ? { cycle } : {}) };
  }
  // Fragments no operation spreads are still validated: they count too.
  for (const name of fragments.keys()) {
    if (!known.has(name)) total += countFragment(name);
    if (total > max) return { total, ...(cycle ? { cycle } : {}) };
  }
  return { total };
}

/**
 * The fields of these selection sets (the sets of fields merged into one response field), grouped by
 * response name with fragments expanded; a group larger than `max` is the excess, and each group's
 * sub-selections are looked at as one merged set in turn.
 */
function mergedExcess(sets: SelectionSetNode[], fragments: Map<string, FragmentDefinitionNode>, max: number): FieldCountExcess | null {
  const groups = new Map<string, FieldNode[]>();
  const collect = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.alias?.value ?? selection.name.value;
        const group = groups.get(name);
        if (group) group.push(selection);
        else groups.set(name, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet);
      }
    }
  };
  for (const set of sets) collect(set);
  for (const [name, fields] of groups) {
    if (fields.length > max) return { limit: 'sameName', name, count: fields.length };
    const children = fields.flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
    if (children.length === 0) continue;
    const excess = mergedExcess(children, fragments, max);
    if (excess) return excess;
  }
  return null;
}
