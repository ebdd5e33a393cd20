import { Field, ObjectType } from 'type-graphql';
import { User } from '../account/user.type.js';

@ObjectType({ description: 'A Playlog session, returned once at login.' })
export class Session {
  @Field(() => String, { description: 'Opaque session token: send it as "Authorization: Bearer <token>". Shown only once; Playlog keeps only its hash.' })
  token!: string;

  @Field(() => Date, { description: 'When the session ends (UTC), unless it is revoked by logout before.' })
  expiresAt!: Date;

  @Field(() => User, { description: 'The user the session is of.' })
  user!: User;
}
