import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { MutationInput, MutationPayload } from '../relay/mutation-base.js';

export enum PollStatus {
  STARTED = 'started',
  ALREADY_RUNNING = 'already_running',
  NOT_ACTIVE = 'not_active',
}

registerEnumType(PollStatus, {
  name: 'PollStatus',
  description: 'What asking for a poll of Spotify did.',
  valuesConfig: {
    STARTED: { description: 'A poll starts now (within a second, unless Spotify asked Playlog to slow down); new plays appear when it ends.' },
    ALREADY_RUNNING: { description: 'A poll is running; another one starts as soon as it ends, so plays that ended meanwhile are read too.' },
    NOT_ACTIVE: { description: 'Playlog does not poll this account (Spotify access expired or was revoked: log in again).' },
  },
});

@InputType({ description: 'The input of requestSync.' })
export class RequestSyncInput extends MutationInput {}

@ObjectType({ description: 'The answer to requestSync.' })
export class RequestSyncPayload extends MutationPayload {
  @Field(() => PollStatus, { description: 'Whether a poll started, is already running, or cannot run.' })
  poll!: PollStatus;

  @Field(() => Date, { nullable: true, description: 'When the poll started or was asked for, in UTC; null when none was (NOT_ACTIVE).' })
  startedAt!: Date | null;
}
