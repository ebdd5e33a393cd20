import { Arg, Args, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { countImports, loadImportPage } from '../../features/streaming-history/data/import-pages.repository.js';
import { cancelImport, forgetImportFile } from '../../features/streaming-history/data/imports.repository.js';
import { deleteUpload } from '../../features/streaming-history/import-files.js';
import { removeImportJobs } from '../../features/streaming-history/import-jobs.js';
import type { ApiContext } from '../graphql/context.js';
import { ConnectionArgs, pageSizeForCost, pageSizeOf } from '../relay/connection-args.js';
import { decodeGlobalIdOf } from '../relay/global-id.js';
import { CancelImportErrorCode, CancelImportInput, CancelImportPayload } from './cancel-import.type.js';
import { ImportConnection } from './import-connection.type.js';
import { decodeImportCursor, encodeImportCursor } from './import-cursor.js';
import { toImport } from './to-import.js';

const IMPORT_PAGE_LIMITS = { defaultSize: 20, maxSize: 100 } as const;

/** The caller's imports (POST /imports uploads them); nobody sees or cancels another user's. */
@Resolver(() => ImportConnection)
export class ImportsResolver {
  @Query(() => ImportConnection, {
    description: 'The caller’s imports, newest first: 20 when neither first nor last is given, at most 100 per page.',
    complexity: ({ args, childComplexity }) => 1 + pageSizeForCost(args, IMPORT_PAGE_LIMITS) * Math.max(1, childComplexity),
  })
  async imports(@Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: ApiContext): Promise<ImportConnection> {
    const session = await ctx.session();
    const { direction, size } = pageSizeOf(args, IMPORT_PAGE_LIMITS);
    const after = args.after === null || args.after === undefined ? undefined : decodeImportCursor(args.after, 'after');
    const before = args.before === null || args.before === undefined ? undefined : decodeImportCursor(args.before, 'before');
    const page = await loadImportPage(ctx.em, { userId: session.userId, direction, size, after, before });
    const edges = page.imports.map(({ position, record }) => ({ cursor: encodeImportCursor(position), node: toImport(record) }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasOlder, hasPreviousPage: page.hasNewer, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
      userId: session.userId,
    };
  }

  @FieldResolver(() => Int, { description: 'How many imports the caller has, whatever the page.' })
  totalCount(@Root() connection: ImportConnection, @Ctx() ctx: ApiContext): Promise<number> {
    return countImports(ctx.em, connection.userId);
  }

  @Mutation(() => CancelImportPayload, {
    description:
      'Cancels one of the caller’s queued, running or failed imports: its uploaded file is deleted at once (plays it already stored are kept). ' +
      'Cancelling a cancelled import again changes nothing; a completed one cannot be cancelled.',
  })
  async cancelImport(@Arg('input', () => CancelImportInput, { description: 'The import to cancel.' }) input: CancelImportInput, @Ctx() ctx: ApiContext): Promise<CancelImportPayload> {
    const session = await ctx.session();
    const clientMutationId = input.clientMutationId ?? null;
    const { importId: id } = decodeGlobalIdOf(input.id, 'Import', 'id');
    const cancelled = await cancelImport(ctx.em, id, session.userId);
    if (!cancelled) {
      return { clientMutationId, import: null, errors: [{ __typename: 'CancelImportError', code: CancelImportErrorCode.IMPORT_NOT_FOUND, message: 'You have no import of this id.' }] };
    }
    const { before, after } = cancelled;
    if (after.status === 'cancelled' && before.status !== 'cancelled') {
      // Deleted now, whatever the import's worker is doing (or whether it is still alive): a running
      // one reads on from the open file until its next chunk finds the import cancelled, then stops.
      await deleteUpload(before.filePath);
      await forgetImportFile(ctx.em, id);
      await removeImportJobs(ctx.services.queues.import, [id]).catch((error: unknown) =>
        ctx.logger.warn({ err: error, userId: session.userId, importId: id }, 'import cancelled, but its job could not be removed; its run finds it cancelled'),
      );
      ctx.logger.info({ userId: session.userId, importId: id, was: before.status }, 'import cancelled; its upload is deleted');
    }
    const errors =
      after.status === 'completed'
        ? [{ __typename: 'CancelImportError' as const, code: CancelImportErrorCode.IMPORT_ALREADY_COMPLETED, message: 'This import had already completed: its plays are stored.' }]
        : [];
    return { clientMutationId, import: toImport(after), errors };
  }
}
