import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum UserStatus {
  ACTIVE = 'active',
  REAUTH_REQUIRED = 'reauth_required',
  DISABLED = 'disabled',
}

registerEnumType(UserStatus, {
  name: 'UserStatus',
  description: 'Whether Playlog is collecting this user’s plays.',
  valuesConfig: {
    ACTIVE: { description: 'Polled on schedule.' },
    REAUTH_REQUIRED: { description: 'Spotify access expired or was revoked: log in again to resume collection.' },
    DISABLED: { description: 'Disabled by the operator.' },
  },
});

@ObjectType({ description: 'A Playlog user (one Spotify account).' })
export class User {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'The Spotify user id.' })
  spotifyId!: string;

  @Field(() => String, { nullable: true })
  displayName!: string | null;

  @Field(() => UserStatus)
  status!: UserStatus;

  @Field(() => Date, { description: 'When this user first logged in to Playlog.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'The oldest stored play; null until the first play is stored.' })
  historyStartsAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When Playlog last read this user’s recently played tracks successfully.' })
  lastSuccessfulPoll!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the user last authorised Playlog on Spotify. Spotify ends the authorisation six months later: log in again before then.',
  })
  spotifyAuthorizedAt!: Date | null;
}
