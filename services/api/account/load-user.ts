import { loadUserProfile } from '../../shared/db/repositories/users.repository.js';
import { unauthenticated } from '../app-error.js';
import type { ApiContext } from '../graphql/context.js';
import type { User, UserStatus } from './user.type.js';

/** The GraphQL User of this id; a user deleted meanwhile makes the session void. */
export async function loadUser(ctx: ApiContext, userId: string): Promise<User> {
  const profile = await loadUserProfile(ctx.em, userId);
  if (!profile) throw unauthenticated(true);
  return {
    id: profile.id,
    spotifyId: profile.spotifyUserId,
    displayName: profile.displayName,
    status: profile.status as UserStatus,
    createdAt: profile.createdAt,
    historyStartsAt: profile.historyStartsAt,
    lastSuccessfulPoll: profile.lastSuccessfulPollAt,
    spotifyAuthorizedAt: profile.spotifyAuthorizedAt,
  };
}
