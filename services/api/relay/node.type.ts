import { Field, ID, InterfaceType } from 'type-graphql';
import type { NodeTypeName } from './global-id.js';

/** What every object a resolver returns as a Node carries: the name of its GraphQL type. */
export interface Typed {
  __typename: NodeTypeName;
}

/** What every Node's id field says. */
export const GLOBAL_ID = 'Opaque global id, unique across all types: pass it to `node(id:)`. Do not parse it.';

@InterfaceType({
  description: 'An object with a global id: ask for it again with `node(id:)`, and let a client cache normalise by it.',
  // Resolvers return plain objects (no class instances), each naming its type.
  resolveType: (value: Typed) => value.__typename,
})
export abstract class Node {
  @Field(() => ID, { description: GLOBAL_ID })
  id!: string;
}
