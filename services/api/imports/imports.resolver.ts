import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { cancelImport, findImport, forgetImportFile, listImports, type ImportRecord } from '../../shared/db/repositories/imports.repository.js';
import { deleteUpload } from '../../shared/imports/import-files.js';
import { removeImportJobs } from '../../shared/jobs/import-jobs.js';
import { badUserInput } from '../app-error.js';
import type { ApiContext } from '../graphql/context.js';
import { Import, type ImportStatus } from './import.type.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The caller's imports (POST /imports uploads them); nobody sees or cancels another user's. */
@Resolver()
export class ImportsResolver {
  @Query(() => [Import], { description: 'The caller’s imports, newest first.' })
  async imports(@Ctx() ctx: ApiContext, @Arg('first', () => Int, { defaultValue: 20, description: 'How many (1 to 100).' }) first: number): Promise<Import[]> {
    const session = await ctx.session();
    if (!Number.isInteger(first) || first < 1 || first > 100) throw badUserInput('first must be between 1 and 100', 'first');
    return (await listImports(ctx.em, session.userId, first)).map(toImport);
  }

  @Query(() => Import, { nullable: true, description: 'One of the caller’s imports; null when there is no such import of theirs.' })
  async import(@Ctx() ctx: ApiContext, @Arg('id', () => ID) id: string): Promise<Import | null> {
    const session = await ctx.session();
    if (!UUID.test(id)) return null;
    const found = await findImport(ctx.em, id, session.userId);
    return found && toImport(found);
  }

  @Mutation(() => Import, {
    nullable: true,
    description:
      'Cancels one of the caller’s queued, running or failed imports: its uploaded file is deleted at once (plays it already stored are kept). A completed or cancelled one is returned unchanged. Null when there is no such import of theirs.',
  })
  async cancelImport(@Ctx() ctx: ApiContext, @Arg('id', () => ID) id: string): Promise<Import | null> {
    const session = await ctx.session();
    if (!UUID.test(id)) return null;
    const cancelled = await cancelImport(ctx.em, id, session.userId);
    if (!cancelled) return null;
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
    return toImport(after);
  }
}

function toImport(record: ImportRecord): Import {
  return {
    id: record.id,
    status: record.status as ImportStatus,
    fileName: record.fileName,
    fileBytes: record.fileBytes,
    counts: {
      rowsRead: record.rowsRead,
      stored: record.stored,
      duplicates: record.duplicates,
      shortPlays: record.shortPlays,
      unknownTracks: record.unknownTracks,
      skippedPodcast: record.skippedPodcast,
      skippedLocal: record.skippedLocal,
      skippedMalformed: record.skippedMalformed,
      tracksFetched: record.tracksFetched,
    },
    problems: record.problems,
    error: record.error,
    createdAt: record.createdAt,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt,
  };
}
