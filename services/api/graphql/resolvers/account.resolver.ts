import { Ctx, Mutation, Resolver } from 'type-graphql';
import { deleteUser } from '../../../shared/db/users.repository.js';
import { enqueuePoll, removePollJobs } from '../../../shared/queue/poll-jobs.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';

@Resolver()
export class AccountResolver {
  @Mutation(() => Boolean, {
    description:
      'Asks for an immediate poll of the caller’s Spotify history. True when a poll was queued; false when one is already queued or running (no second job is added).',
  })
  async requestSync(@Ctx() ctx: ApiContext): Promise<boolean> {
    const session = await ctx.session();
    if (session.userStatus === 'reauth_required') {
      throw new ApiError('REAUTH_REQUIRED', 'Spotify access expired or was revoked: log in again, which also starts a poll.');
    }
    try {
      return await enqueuePoll(ctx.services.pollQueue, session.userId, 'manual');
    } catch (error) {
      ctx.logger.warn({ err: error, userId: session.userId }, 'could not enqueue a requested poll');
      throw new ApiError('SERVICE_UNAVAILABLE', 'The job queue cannot be reached right now; try again shortly.');
    }
  }

  @Mutation(() => Boolean, {
    description: 'Deletes the caller’s account: Spotify tokens, sessions, plays, poll state and queued polls. Cannot be undone.',
  })
  async deleteMyAccount(@Ctx() ctx: ApiContext): Promise<boolean> {
    const session = await ctx.session();
    // Data first: once the user row is gone, a poll that still runs finds no user and stores nothing.
    await deleteUser(ctx.em, session.userId);
    ctx.services.sessionCookie.clear(ctx.res);
    try {
      await removePollJobs(ctx.services.pollQueue, session.userId);
    } catch (error) {
      // The account is gone either way; a leftover job finds no user and completes with nothing to do.
      ctx.logger.warn({ err: error, userId: session.userId }, 'account deleted, but its queued polls could not be removed');
    }
    ctx.logger.info({ userId: session.userId }, 'account deleted');
    return true;
  }
}
