import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { GLOBAL_ID, Node } from '../relay/node.type.js';

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

@ObjectType({ implements: Node, description: 'A Playlog user (one Spotify account).' })
export class User implements Node {
  __typename!: 'User';

  @Field(() => ID, { description: GLOBAL_ID })
  id!: string;

  @Field(() => String, { description: 'The Spotify user id.' })
  spotifyId!: string;

  @Field(() => String, { nullable: true, description: 'The name shown on Spotify; null when the user set none.' })
  displayName!: string | null;

  @Field(() => UserStatus, { description: 'Whether Playlog is collecting the user’s plays.' })
  status!: UserStatus;

  @Field(() => String, { description: 'The IANA time zone (such as Europe/Paris) statistics use for this user unless a query names another; UTC until set with updateSettings.' })
  timeZone!: string;

  @Field(() => Date, { description: 'When this user first logged in to Playlog.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'The oldest stored play; null until the first play is stored.' })
  historyStartsAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When Playlog last read this user’s recently played tracks successfully; null until it has.' })
  lastSuccessfulPoll!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'When the user last authorised Playlog on Spotify (null when Playlog holds no Spotify access for them). Spotify ends the authorisation six months later: log in again before then.',
  })
  spotifyAuthorizedAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When Spotify stops accepting Playlog’s access for this user (spotifyAuthorizedAt plus the refresh token’s lifetime): log in again before then. Null when Playlog holds no Spotify access for them.',
  })
  reauthorizeBy!: Date | null;

  @Field(() => Boolean, {
    description: 'True when the user should log in again now: Spotify access expired or was revoked (status REAUTH_REQUIRED), or reauthorizeBy is within the warning window (SPOTIFY_REAUTH_WARNING_DAYS).',
  })
  reauthorizeSoon!: boolean;
}
