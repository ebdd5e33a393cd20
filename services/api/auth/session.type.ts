import { Field, ObjectType } from 'type-graphql';
import { User } from '../account/user.type.js';

@ObjectType({ description: 'A Playlog session, returned once at login.' })
export class Session {
  @Field(() => String, { description: 'Opaque session token: send it as "Authorization: Bearer <token>". Shown only once; Playlog stores its hash.' })
  token!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => User)
  user!: User;
}
