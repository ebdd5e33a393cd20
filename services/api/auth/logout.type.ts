import { Field, InputType, ObjectType } from 'type-graphql';
import { MutationInput, MutationPayload } from '../relay/mutation-base.js';

@InputType({ description: 'The input of logout.' })
export class LogoutInput extends MutationInput {}

@ObjectType({ description: 'The answer to logout.' })
export class LogoutPayload extends MutationPayload {
  @Field(() => Date, { description: 'When the session was revoked (UTC): its token no longer works.' })
  revokedAt!: Date;
}
