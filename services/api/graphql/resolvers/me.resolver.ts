import { Ctx, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.js';
import { User } from '../types/user.type.js';
import { loadUser } from './load-user.js';

@Resolver()
export class MeResolver {
  @Query(() => User, { nullable: true, description: 'The logged-in user.' })
  async me(@Ctx() ctx: ApiContext): Promise<User> {
    const session = await ctx.session();
    return loadUser(ctx, session.userId);
  }
}
