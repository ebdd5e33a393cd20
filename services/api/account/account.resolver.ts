import { Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { deleteUser } from '../../shared/db/repositories/users.repository.js';
import { removePollJobs, requestPoll } from '../../shared/jobs/poll-jobs.js';
import { AppError } from '../app-error.js';
import type { ApiContext } from '../graphql/context.js';
import { loadUser } from './load-user.js';
import { PollStatus, RequestSyncPayload } from './sync.type.js';
import { User } from './user.type.js';

/** The caller's own account: who they are, polling on demand, and deleting everything. */
@Resolver()
export class AccountResolver {
  @Query(() => User, { nullable: true, description: 'The logged-in user.' })
  async me(@Ctx() ctx: ApiContext): Promise<User> {
    const session = await ctx.session();
    return loadUser(ctx, session.userId);
  }

  @Mutation(() => RequestSyncPayload, {
    description:
      'Polls the caller’s Spotify history now, instead of at the next scheduled poll: `poll` says whether a poll started, is already running, or cannot run because Spotify access must be renewed.',
  })
  async requestSync(@Ctx() ctx: ApiContext): Promise<RequestSyncPayload> {
    const session = await ctx.session();
    if (session.userStatus !== 'active') return { poll: PollStatus.NOT_ACTIVE, startedAt: null };
    try {
      const request = await requestPoll(ctx.services.queues.poll, session.userId, 'manual');
      ctx.logger.info({ userId: session.userId, poll: request.status }, 'sync requested');
      return { poll: request.status === 'started' ? PollStatus.STARTED : PollStatus.ALREADY_RUNNING, startedAt: request.at };
    } catch (error) {
      ctx.logger.warn({ err: error, userId: session.userId }, 'could not enqueue a requested poll');
      throw new AppError('SERVICE_UNAVAILABLE', 'The job queue cannot be reached right now; try again shortly.');
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
      await removePollJobs(ctx.services.queues.poll, session.userId);
    } catch (error) {
      // The account is gone either way; a leftover job finds no user and completes with nothing to do.
      ctx.logger.warn({ err: error, userId: session.userId }, 'account deleted, but its queued polls could not be removed');
    }
    ctx.logger.info({ userId: session.userId }, 'account deleted');
    return true;
  }
}
