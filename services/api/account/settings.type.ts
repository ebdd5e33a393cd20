import { Field, InputType, ObjectType } from 'type-graphql';
import { MutationInput, MutationPayload } from '../relay/mutation-base.js';
import { User } from './user.type.js';

@InputType({ description: 'The caller’s settings to change.' })
export class UpdateSettingsInput extends MutationInput {
  @Field(() => String, { description: 'An IANA time zone name, such as Europe/Paris: the one statistics use unless a query names another.' })
  timeZone!: string;
}

@ObjectType({ description: 'The answer to updateSettings.' })
export class UpdateSettingsPayload extends MutationPayload {
  @Field(() => User, { description: 'The caller, with the settings now in force.' })
  user!: User;
}
