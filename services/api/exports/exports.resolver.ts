import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { countExports, findExportsOf, loadExportPage } from '../../features/exports/data/export-pages.repository.js';
import { createExport } from '../../features/exports/data/exports.repository.js';
import { deleteExportFiles } from '../../features/exports/export-files.js';
import { enqueueExport } from '../../features/exports/export-jobs.js';
import { AppError } from '../app-error.js';
import type { ApiContext } from '../graphql/context.js';
import { ConnectionArgs, pageSizeForCost, pageSizeOf } from '../relay/connection-args.js';
import { decodeGlobalIdOf } from '../relay/global-id.js';
import { ExportConnection } from './export-connection.type.js';
import { decodeExportCursor, encodeExportCursor } from './export-cursor.js';
import { Export } from './export.type.js';
import { RequestExportErrorCode, RequestExportInput, RequestExportPayload } from './request-export.type.js';
import { toExport } from './to-export.js';

const EXPORT_PAGE_LIMITS = { defaultSize: 20, maxSize: 100 } as const;
const HOUR_MS = 60 * 60 * 1000;

/** The caller's personal exports (docs/export.md); nobody sees or downloads another user's. */
@Resolver(() => ExportConnection)
export class ExportsResolver {
  @Query(() => ExportConnection, {
    description: 'The caller’s exports that have not expired, newest first: 20 when neither first nor last is given, at most 100 per page.',
    complexity: ({ args, childComplexity }) => 1 + pageSizeForCost(args, EXPORT_PAGE_LIMITS) * Math.max(1, childComplexity),
  })
  async exports(@Args(() => ConnectionArgs) args: ConnectionArgs, @Ctx() ctx: ApiContext): Promise<ExportConnection> {
    const session = await ctx.session();
    const { direction, size } = pageSizeOf(args, EXPORT_PAGE_LIMITS);
    const after = args.after === null || args.after === undefined ? undefined : decodeExportCursor(args.after, 'after');
    const before = args.before === null || args.before === undefined ? undefined : decodeExportCursor(args.before, 'before');
    const page = await loadExportPage(ctx.em, { userId: session.userId, direction, size, after, before });
    const edges = page.exports.map(({ position, record }) => ({ cursor: encodeExportCursor(position), node: toExport(record) }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasOlder, hasPreviousPage: page.hasNewer, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
      userId: session.userId,
    };
  }

  @FieldResolver(() => Int, { description: 'How many exports the caller has that have not expired, whatever the page.' })
  totalCount(@Root() connection: ExportConnection, @Ctx() ctx: ApiContext): Promise<number> {
    return countExports(ctx.em, connection.userId);
  }

  @Query(() => Export, { name: 'export', nullable: true, description: 'One of the caller’s exports; null for an id of none of theirs, or once it has expired.' })
  async exportById(@Arg('id', () => ID, { description: 'The id of one of your exports.' }) id: string, @Ctx() ctx: ApiContext): Promise<Export | null> {
    const session = await ctx.session();
    const { exportId } = decodeGlobalIdOf(id, 'Export', 'id');
    const found = (await findExportsOf(ctx.em, session.userId, [exportId])).get(exportId);
    return found ? toExport(found) : null;
  }

  @Mutation(() => RequestExportPayload, {
    description:
      'Starts writing a copy of the caller’s whole listening history in one file; its status turns COMPLETED once written, then downloadUrl serves it until expiresAt (docs/export.md).',
  })
  async requestExport(@Arg('input', () => RequestExportInput, { description: 'The export to write.' }) input: RequestExportInput, @Ctx() ctx: ApiContext): Promise<RequestExportPayload> {
    const session = await ctx.session();
    const clientMutationId = input.clientMutationId ?? null;
    const { ttlHours, maxPending, maxKept } = ctx.services.exports;
    const result = await createExport(ctx.em, { userId: session.userId, format: input.format, expiresAt: new Date(Date.now() + ttlHours * HOUR_MS), maxPending, maxKept });
    if ('refused' in result) {
      return {
        clientMutationId,
        export: null,
        errors: [
          {
            __typename: 'RequestExportError',
            code: RequestExportErrorCode.TOO_MANY_PENDING_EXPORTS,
            message: `You already have ${result.pending} exports queued or being written (at most ${maxPending}): wait for one to complete, then ask again.`,
          },
        ],
      };
    }
    // Older exports made room for this one (EXPORT_MAX_KEPT): their rows are gone, their files go now.
    for (const files of result.replaced) await deleteExportFiles(files);
    if (result.replaced.length > 0) ctx.logger.info({ userId: session.userId, replaced: result.replaced.map(({ id }) => id) }, `replaced ${result.replaced.length} older exports of the user (EXPORT_MAX_KEPT)`);
    try {
      await enqueueExport(ctx.services.queues.export, result.created.id, ctx.requestId);
    } catch (error) {
      ctx.logger.warn({ err: error, userId: session.userId, exportId: result.created.id }, 'could not enqueue an export');
      throw new AppError('SERVICE_UNAVAILABLE', 'The job queue cannot be reached right now; try again shortly.');
    }
    ctx.logger.info({ userId: session.userId, exportId: result.created.id, format: result.created.format }, 'export requested');
    return { clientMutationId, export: toExport(result.created), errors: [] };
  }
}
