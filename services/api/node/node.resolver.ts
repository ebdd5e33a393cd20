import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { positionKey } from '../../features/history/data/history.repository.js';
import { findUser } from '../account/load-user.js';
import { badUserInput } from '../app-error.js';
import { loadCatalogueNodes } from '../catalogue/catalogue-nodes.js';
import type { ApiContext } from '../graphql/context.js';
import { loadPlayNodes } from '../history/play-nodes.js';
import { loadExportNodes } from '../exports/export-nodes.js';
import { loadImportNodes } from '../imports/import-nodes.js';
import { decodeGlobalId, type NodeKey } from '../relay/global-id.js';
import { Node } from '../relay/node.type.js';

/** Most ids one `nodes` call may ask for. */
export const MAX_NODE_IDS = 100;

/**
 * Global object identification: any object with an id, fetched again by it. Only what the caller may
 * see: their own user, plays, imports and exports, and the tracks, albums and artists of what they played.
 * Anything else — another user's play, a track nobody of theirs played — is null, exactly as for an id
 * that never existed.
 */
@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'The object with this id, when the caller may see it; null otherwise (as for an id that does not exist).' })
  async node(@Arg('id', () => ID, { description: 'The id field of any Node.' }) id: string, @Ctx() ctx: ApiContext): Promise<Node | null> {
    const [found] = await loadNodes(ctx, [decodeGlobalId(id, 'id')]);
    return found ?? null;
  }

  @Query(() => [Node], {
    nullable: 'items',
    description: `The objects with these ids (at most ${MAX_NODE_IDS}), in the same order; null in place of each the caller may not see.`,
    complexity: ({ args, childComplexity }) => 1 + (Array.isArray(args.ids) ? Math.min(args.ids.length, MAX_NODE_IDS) : 1) * Math.max(1, childComplexity),
  })
  async nodes(@Arg('ids', () => [ID], { description: 'Id fields of Nodes, of any types.' }) ids: string[], @Ctx() ctx: ApiContext): Promise<Array<Node | null>> {
    if (ids.length > MAX_NODE_IDS) throw badUserInput(`ids may hold at most ${MAX_NODE_IDS} ids`, 'ids');
    return loadNodes(ctx, ids.map((id, index) => decodeGlobalId(id, `ids[${index}]`)));
  }
}

/** The objects of these keys as the caller sees them, in order: one query per kind of object asked for. */
async function loadNodes(ctx: ApiContext, keys: readonly NodeKey[]): Promise<Array<Node | null>> {
  const session = await ctx.session();
  const viewerId = session.userId;
  const of = <T extends NodeKey['type']>(type: T) => keys.filter((key): key is Extract<NodeKey, { type: T }> => key.type === type);

  const playKeys = of('Play').filter((key) => key.userId === viewerId);
  const plays = playKeys.length > 0 ? await loadPlayNodes(ctx, viewerId, playKeys) : new Map();
  const importIds = of('Import').map((key) => key.importId);
  const imports = importIds.length > 0 ? await loadImportNodes(ctx, viewerId, importIds) : new Map();
  const exportIds = of('Export').map((key) => key.exportId);
  const exports = exportIds.length > 0 ? await loadExportNodes(ctx, viewerId, exportIds) : new Map();
  const catalogueIds = { tracks: of('Track').map((key) => key.trackId), albums: of('Album').map((key) => key.albumId), artists: of('Artist').map((key) => key.artistId) };
  const catalogue =
    catalogueIds.tracks.length + catalogueIds.albums.length + catalogueIds.artists.length > 0 ? await loadCatalogueNodes(ctx, viewerId, catalogueIds) : undefined;
  const self = of('User').some((key) => key.userId === viewerId) ? await findUser(ctx, viewerId) : null;

  return keys.map((key): Node | null => {
    switch (key.type) {
      case 'User':
        return key.userId === viewerId ? self : null;
      case 'Play':
        return key.userId === viewerId ? (plays.get(positionKey(key)) ?? null) : null;
      case 'Import':
        return imports.get(key.importId) ?? null;
      case 'Export':
        return exports.get(key.exportId) ?? null;
      case 'Track':
        return catalogue?.tracks.get(key.trackId) ?? null;
      case 'Album':
        return catalogue?.albums.get(key.albumId) ?? null;
      case 'Artist':
        return catalogue?.artists.get(key.artistId) ?? null;
    }
  });
}
