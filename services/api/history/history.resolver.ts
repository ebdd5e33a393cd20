import { Args, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { countHistoryOfTracks, loadHistoryPageOfTracks, tracksMatching, type TrackFilter } from '../../features/history/data/history-filter.repository.js';
import { countHistory, loadHistoryPage } from '../../features/history/data/history.repository.js';
import { loadPageTracks } from '../../features/catalogue/data/track-rows.repository.js';
import type { ApiContext } from '../graphql/context.js';
import { pageSizeForCost, pageSizeOf } from '../relay/connection-args.js';
import { decodeGlobalIdOf } from '../relay/global-id.js';
import { HISTORY_PAGE_LIMITS, HistoryArgs } from './history.args.js';
import { decodeHistoryCursor, encodeHistoryCursor } from './history-cursor.js';
import { checkRange } from './instants.js';
import { PlayConnection } from './play-connection.type.js';
import { toPlay } from './to-play.js';

@Resolver(() => PlayConnection)
export class HistoryResolver {
  @Query(() => PlayConnection, {
    description:
      'The caller’s plays, newest first. Read forward with `first` and `after` (pageInfo.endCursor), backward with `last` and `before` ' +
      '(pageInfo.startCursor); 50 plays when neither first nor last is given, at most 200. Plays stored between two pages never shift them. ' +
      '`from` is inclusive, `to` exclusive; trackId, albumId and artistId narrow it to those tracks (all that are given must hold).',
    complexity: ({ args, childComplexity }) => 1 + pageSizeForCost(args, HISTORY_PAGE_LIMITS) * Math.max(1, childComplexity),
  })
  async listeningHistory(@Args(() => HistoryArgs) args: HistoryArgs, @Ctx() ctx: ApiContext): Promise<PlayConnection> {
    const session = await ctx.session();
    const { direction, size } = pageSizeOf(args, HISTORY_PAGE_LIMITS);
    const after = args.after === null || args.after === undefined ? undefined : decodeHistoryCursor(args.after, 'after');
    const before = args.before === null || args.before === undefined ? undefined : decodeHistoryCursor(args.before, 'before');
    const { from, to } = checkRange(args);

    const filter = trackFilterOf(args);
    const trackIds = filter ? await tracksMatching(ctx.em, session.userId, filter) : undefined;
    const request = { userId: session.userId, direction, size, after, before, from, to };
    const page = trackIds ? await loadHistoryPageOfTracks(ctx.em, request, trackIds) : await loadHistoryPage(ctx.em, request);
    // The page's tracks, albums and artists in one query, here rather than in a `track` field resolver:
    // the whole page is then plain data, which graphql-js completes without a promise per play (a field
    // resolver per play was most of the API's CPU time per page: docs/benchmarks.md, history).
    const tracks = await loadPageTracks(ctx.em, session.userId, page.plays.map((play) => play.trackId));
    const edges = page.plays.map((play) => ({ cursor: encodeHistoryCursor(play.position), node: toPlay(session.userId, play, tracks) }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasOlder, hasPreviousPage: page.hasNewer, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
      scope: { userId: session.userId, from, to, trackIds },
    };
  }

  @FieldResolver(() => Int, { description: 'How many plays the connection holds: every play in `from`…`to`, whatever the page and its cursors.' })
  totalCount(@Root() connection: PlayConnection, @Ctx() ctx: ApiContext): Promise<number> {
    const { userId, trackIds } = connection.scope;
    return trackIds ? countHistoryOfTracks(ctx.em, userId, trackIds, connection.scope) : countHistory(ctx.em, userId, connection.scope);
  }
}

/** The track, album and artist filters, by their catalogue ids; undefined when none is given. */
function trackFilterOf(args: HistoryArgs): TrackFilter | undefined {
  const filter: TrackFilter = {};
  if (args.trackId !== null && args.trackId !== undefined) filter.trackId = decodeGlobalIdOf(args.trackId, 'Track', 'trackId').trackId;
  if (args.albumId !== null && args.albumId !== undefined) filter.albumId = decodeGlobalIdOf(args.albumId, 'Album', 'albumId').albumId;
  if (args.artistId !== null && args.artistId !== undefined) filter.artistId = decodeGlobalIdOf(args.artistId, 'Artist', 'artistId').artistId;
  return Object.keys(filter).length > 0 ? filter : undefined;
}
