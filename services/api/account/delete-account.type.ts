import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { MutationInput, MutationPayload } from '../relay/mutation-base.js';

@InputType({ description: 'The input of deleteMyAccount.' })
export class DeleteMyAccountInput extends MutationInput {}

@ObjectType({ description: 'The answer to deleteMyAccount.' })
export class DeleteMyAccountPayload extends MutationPayload {
  @Field(() => ID, { description: 'The id of the deleted User: evict it, and everything of theirs, from a client cache.' })
  deletedUserId!: string;
}
