import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { exportsOfUser } from '../../features/exports/data/exports.repository.js';
import { importsOfUser } from '../../features/streaming-history/data/imports.repository.js';
import { budgetOf } from '../../shared/db/statements/statement-budget.js';
import { deleteUser } from '../../features/accounts/data/users.repository.js';
import { setUserTimeZone, UserRowBusyError } from '../../features/statistics/data/stats-zone.repository.js';
import { deleteUpload } from '../../features/streaming-history/import-files.js';
import { deleteExportFiles } from '../../features/exports/export-files.js';
import { removeExportJobs } from '../../features/exports/export-jobs.js';
import { removeImportJobs } from '../../features/streaming-history/import-jobs.js';
import { removePollJobs, requestPoll } from '../../features/polling/poll-jobs.js';
import { AppError, unauthenticated } from '../app-error.js';
import type { ApiContext } from '../graphql/context.js';
import { toGlobalId } from '../relay/global-id.js';
import { DeleteMyAccountInput, DeleteMyAccountPayload } from './delete-account.type.js';
import { loadUser } from './load-user.js';
import { UpdateSettingsInput, UpdateSettingsPayload } from './settings.type.js';
import { checkTimeZone } from './time-zone.js';
import { PollStatus, RequestSyncInput, RequestSyncPayload } from './sync.type.js';
import { User } from './user.type.js';

/** The caller's own account: who they are, polling on demand, and deleting everything. */
@Resolver()
export class AccountResolver {
  @Query(() => User, { description: 'The logged-in user. Without a valid session: an UNAUTHENTICATED error.' })
  async me(@Ctx() ctx: ApiContext): Promise<User> {
    const session = await ctx.session();
    return loadUser(ctx, session.userId);
  }

  @Mutation(() => UpdateSettingsPayload, { description: 'Changes the caller’s settings: for now their time zone. Setting the same value again changes nothing.' })
  async updateSettings(@Arg('input', () => UpdateSettingsInput, { description: 'The settings to change.' }) input: UpdateSettingsInput, @Ctx() ctx: ApiContext): Promise<UpdateSettingsPayload> {
    const session = await ctx.session();
    const timeZone = await checkTimeZone(ctx.em, input.timeZone, 'timeZone');
    // The recount runs as one of the listener's statements (their share of the connections, statement-budget.ts).
    const change = () => setUserTimeZone(ctx.em, session.userId, timeZone);
    const budget = budgetOf(ctx.em);
    const found = await (budget ? budget.run(change) : change()).catch((error: unknown) => {
      if (error instanceof UserRowBusyError) throw new AppError('BUSY', 'Another change of your time zone is being applied: try again in a few seconds.', { retryAfterSeconds: 5 });
      throw error;
    });
    if (!found) throw unauthenticated(true);
    return { clientMutationId: input.clientMutationId ?? null, user: await loadUser(ctx, session.userId) };
  }

  @Mutation(() => RequestSyncPayload, {
    description:
      'Polls the caller’s Spotify history now, instead of at the next scheduled poll: `poll` says whether a poll started, is already running, or cannot run because Spotify access must be renewed.',
  })
  async requestSync(
    @Arg('input', () => RequestSyncInput, { nullable: true, description: 'Optional: only clientMutationId.' }) input: RequestSyncInput | null,
    @Ctx() ctx: ApiContext,
  ): Promise<RequestSyncPayload> {
    const session = await ctx.session();
    const clientMutationId = input?.clientMutationId ?? null;
    if (session.userStatus !== 'active') return { clientMutationId, poll: PollStatus.NOT_ACTIVE, startedAt: null };
    try {
      const request = await requestPoll(ctx.services.queues.poll, session.userId, 'manual', ctx.requestId);
      ctx.logger.info({ userId: session.userId, poll: request.status }, 'sync requested');
      return { clientMutationId, poll: request.status === 'started' ? PollStatus.STARTED : PollStatus.ALREADY_RUNNING, startedAt: request.at };
    } catch (error) {
      ctx.logger.warn({ err: error, userId: session.userId }, 'could not enqueue a requested poll');
      throw new AppError('SERVICE_UNAVAILABLE', 'The job queue cannot be reached right now; try again shortly.');
    }
  }

  @Mutation(() => DeleteMyAccountPayload, {
    description: 'Deletes the caller’s account: Spotify tokens, sessions, API tokens, plays from every source, what a player says is playing now, poll state, imports with their uploaded files, exports with their files, and queued jobs. Cannot be undone.',
  })
  async deleteMyAccount(
    @Arg('input', () => DeleteMyAccountInput, { nullable: true, description: 'Optional: only clientMutationId.' }) input: DeleteMyAccountInput | null,
    @Ctx() ctx: ApiContext,
  ): Promise<DeleteMyAccountPayload> {
    const session = await ctx.session();
    // Its imports' uploads hold IP addresses and devices: found before the rows go with the account.
    const imports = await importsOfUser(ctx.em, session.userId);
    // Its exports' files are whole histories: found before the rows go too.
    const exports = await exportsOfUser(ctx.em, session.userId);
    // Data first: once the user row is gone, a poll or an import that still runs finds nothing and stores nothing.
    await deleteUser(ctx.em, session.userId);
    ctx.services.sessionCookie.clear(ctx.res);
    for (const { filePath } of imports) await deleteUpload(filePath);
    await ctx.services.nowPlaying.clear(session.userId).catch((error: unknown) => ctx.logger.warn({ err: error, userId: session.userId }, 'account deleted, but its playing-now state could not be cleared (it expires on its own)'));
    for (const files of exports) await deleteExportFiles(files);
    try {
      await removePollJobs(ctx.services.queues.poll, session.userId);
      await removeImportJobs(ctx.services.queues.import, imports.map(({ id }) => id));
      await removeExportJobs(ctx.services.queues.export, exports.map(({ id }) => id));
    } catch (error) {
      // The account is gone either way; a leftover job finds nothing and is removed when it completes.
      ctx.logger.warn({ err: error, userId: session.userId }, 'account deleted, but its queued jobs could not all be removed');
    }
    ctx.logger.info({ userId: session.userId }, 'account deleted');
    return { clientMutationId: input?.clientMutationId ?? null, deletedUserId: toGlobalId({ type: 'User', userId: session.userId }) };
  }
}
