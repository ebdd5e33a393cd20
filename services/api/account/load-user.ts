import { loadUserProfile } from '../../shared/db/repositories/users.repository.js';
import { unauthenticated } from '../app-error.js';
import type { ApiContext } from '../graphql/context.js';
import { toGlobalId } from '../relay/global-id.js';
import type { User, UserStatus } from './user.type.js';

/** The GraphQL User of this id; a user deleted meanwhile makes the session void. */
export async function loadUser(ctx: ApiContext, userId: string): Promise<User> {
  const user = await findUser(ctx, userId);
  if (!user) throw unauthenticated(true);
  return user;
}

/** The GraphQL User of this id; null when there is none. */
export async function findUser(ctx: ApiContext, userId: string): Promise<User | null> {
  const profile = await loadUserProfile(ctx.em, userId);
  if (!profile) return null;
  return {
    __typename: 'User',
    id: toGlobalId({ type: 'User', userId: profile.id }),
    spotifyId: profile.spotifyUserId,
    displayName: profile.displayName,
    status: profile.status as UserStatus,
    createdAt: profile.createdAt,
    historyStartsAt: profile.historyStartsAt,
    lastSuccessfulPoll: profile.lastSuccessfulPollAt,
    spotifyAuthorizedAt: profile.spotifyAuthorizedAt,
    timeZone: profile.timeZone,
  };
}
