import { Field, InputType, InterfaceType, ObjectType } from 'type-graphql';

/** Every mutation's one argument: its own fields, and the client's id of the call, handed back. */
@InputType()
export abstract class MutationInput {
  @Field(() => String, { nullable: true, description: 'Any string of the client’s, returned as is in the payload (to match answers to calls).' })
  clientMutationId?: string | null;
}

/** Every mutation's answer: what changed, and the client's id of the call. */
@ObjectType()
export abstract class MutationPayload {
  @Field(() => String, { nullable: true, description: 'The clientMutationId of the input, as given.' })
  clientMutationId!: string | null;
}

/** What a typed error of a payload carries; each mutation's errors add their own code. */
export interface TypedError {
  __typename: string;
}

@InterfaceType({
  description:
    'A failure the user can act on, returned in a mutation’s payload (with a code of the mutation’s own) instead of as a GraphQL error. Unexpected failures stay GraphQL errors with a stable extensions.code.',
  resolveType: (value: TypedError) => value.__typename,
})
export abstract class UserError {
  @Field(() => String, { description: 'What went wrong and what to do, for people (English).' })
  message!: string;
}
