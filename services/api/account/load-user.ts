import { loadUserProfile } from '../../features/accounts/data/users.repository.js';
import { unauthenticated } from '../app-error.js';
import type { ApiContext, ApiServices } from '../graphql/context.js';
import { toGlobalId } from '../relay/global-id.js';
import type { User, UserStatus } from './user.type.js';

/** The GraphQL User of this id; a user deleted meanwhile makes the session void. */
export async function loadUser(ctx: ApiContext, userId: string): Promise<User> {
  const user = await findUser(ctx, userId);
  if (!user) throw unauthenticated(true);
  return user;
}

const DAY_MS = 86_400_000;

/** When the user must log in again by, and whether to ask them now (the worker warns in its logs from the same moment). */
function reauthorization(status: string, authorizedAt: Date | null, grant: ApiServices['grant'], now = Date.now()): Pick<User, 'reauthorizeBy' | 'reauthorizeSoon'> {
  const reauthorizeBy = authorizedAt ? new Date(authorizedAt.getTime() + grant.lifetimeDays * DAY_MS) : null;
  const withinWarning = reauthorizeBy !== null && reauthorizeBy.getTime() - now <= grant.warningDays * DAY_MS;
  return { reauthorizeBy, reauthorizeSoon: status === 'reauth_required' || (status === 'active' && withinWarning) };
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
    ...reauthorization(profile.status, profile.spotifyAuthorizedAt, ctx.services.grant),
    timeZone: profile.timeZone,
  };
}
