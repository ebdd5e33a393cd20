import { rm } from 'node:fs/promises';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { cancelImport, findImport, listImports, type ImportRecord } from '../../shared/db/repositories/imports.repository.js';
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
    description: 'Cancels one of the caller’s queued or running imports (plays it already stored are kept); a finished one is returned unchanged. Null when there is no such import of theirs.',
  })
  async cancelImport(@Ctx() ctx: ApiContext, @Arg('id', () => ID) id: string): Promise<Import | null> {
    const session = await ctx.session();
    if (!UUID.test(id)) return null;
    const before = await findImport(ctx.em, id, session.userId);
    if (!before) return null;
    const after = await cancelImport(ctx.em, id, session.userId);
    // A queued import will never run (its job finds it cancelled): its upload is deleted now. A running one's worker deletes it.
    if (before.status === 'queued' && after?.status === 'cancelled') await rm(before.filePath, { force: true }).catch(() => undefined);
    if (after?.status === 'cancelled' && before.status !== 'cancelled') ctx.logger.info({ userId: session.userId, importId: id }, 'import cancelled');
    return after && toImport(after);
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
