import { Arg, Ctx, Extensions, Int, Query, Resolver } from 'type-graphql';
import { loadRanking, type RankedKind, type RankingPage } from '../../features/statistics/data/stats-rankings.repository.js';
import type { ApiContext } from '../graphql/context.js';
import { EXPENSIVE_FIELD } from '../graphql/operation-limits.js';
import { pageSizeOf } from '../relay/connection-args.js';
import { rankedAlbums, rankedArtists, rankedTracks } from './ranked-nodes.js';
import { decodeRankingCursor, encodeRankingCursor } from './ranking-cursor.js';
import { AlbumRankingConnection, ArtistRankingConnection, RankOrder, TrackRankingConnection } from './ranking.types.js';
import { rankingCost } from './stats-cost.js';
import { checkStatsRange } from './stats-span.js';
import { StatsRange } from './stats.types.js';

const RANKING_LIMITS = { defaultSize: 50, maxSize: 200 } as const;
const RANGE_ARG = { nullable: true, description: 'The plays to count; all of them when left out.' } as const;
const ORDER_ARG = { defaultValue: RankOrder.PLAYS, description: 'What to rank by.' } as const;
const FIRST_ARG = { nullable: true, description: 'How many items, 1 to 200 (50 when left out).' } as const;
const AFTER_ARG = { nullable: true, description: 'Only items after this cursor (an edge’s cursor, or pageInfo.endCursor).' } as const;
const cost = rankingCost(RANKING_LIMITS);
const ORDERING = ' Ties go to the other measure, then to the id; `rank` is the place in that order.';

/** The caller's top tracks, albums and artists over a range, recounted from their plays (docs/stats.md). */
@Resolver()
export class RankingsResolver {
  @Query(() => TrackRankingConnection, { description: `The caller’s tracks, most played (or most listened to) first.${ORDERING}`, complexity: cost })
  @Extensions(EXPENSIVE_FIELD)
  async topTracks(
    @Arg('range', () => StatsRange, RANGE_ARG) range: StatsRange | null,
    @Arg('orderBy', () => RankOrder, ORDER_ARG) orderBy: RankOrder,
    @Arg('first', () => Int, FIRST_ARG) first: number | null,
    @Arg('after', () => String, AFTER_ARG) after: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<InstanceType<typeof TrackRankingConnection>> {
    const { userId, page } = await rankingOf(ctx, 'track', { range, orderBy, first, after });
    return connectionOf('track', orderBy, page, await rankedTracks(ctx, userId, page.items));
  }

  @Query(() => AlbumRankingConnection, { description: `The caller’s albums, most played (or most listened to) first.${ORDERING}`, complexity: cost })
  @Extensions(EXPENSIVE_FIELD)
  async topAlbums(
    @Arg('range', () => StatsRange, RANGE_ARG) range: StatsRange | null,
    @Arg('orderBy', () => RankOrder, ORDER_ARG) orderBy: RankOrder,
    @Arg('first', () => Int, FIRST_ARG) first: number | null,
    @Arg('after', () => String, AFTER_ARG) after: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<InstanceType<typeof AlbumRankingConnection>> {
    const { userId, page } = await rankingOf(ctx, 'album', { range, orderBy, first, after });
    return connectionOf('album', orderBy, page, await rankedAlbums(ctx, userId, page.items));
  }

  @Query(() => ArtistRankingConnection, { description: `The caller’s artists, most played (or most listened to) first.${ORDERING}`, complexity: cost })
  @Extensions(EXPENSIVE_FIELD)
  async topArtists(
    @Arg('range', () => StatsRange, RANGE_ARG) range: StatsRange | null,
    @Arg('orderBy', () => RankOrder, ORDER_ARG) orderBy: RankOrder,
    @Arg('first', () => Int, FIRST_ARG) first: number | null,
    @Arg('after', () => String, AFTER_ARG) after: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<InstanceType<typeof ArtistRankingConnection>> {
    const { userId, page } = await rankingOf(ctx, 'artist', { range, orderBy, first, after });
    return connectionOf('artist', orderBy, page, await rankedArtists(ctx, userId, page.items));
  }
}

async function rankingOf(ctx: ApiContext, kind: RankedKind, args: { range: StatsRange | null; orderBy: RankOrder; first: number | null; after: string | null }) {
  const session = await ctx.session();
  const { size } = pageSizeOf({ first: args.first, after: args.after, last: null, before: null }, RANKING_LIMITS);
  const { from, to } = checkStatsRange(args.range);
  const after = args.after === null || args.after === undefined ? undefined : decodeRankingCursor(kind, args.orderBy, args.after);
  const page = await loadRanking(ctx.em, { userId: session.userId, from, to, kind, order: args.orderBy, size, after });
  return { userId: session.userId, page };
}

function connectionOf<Node extends { rank: number; plays: number; msPlayed: number }>(kind: RankedKind, order: RankOrder, page: RankingPage, nodes: Node[]) {
  const edges = page.items.map((item, index) => ({ cursor: encodeRankingCursor(kind, order, { plays: item.plays, ms: item.ms, id: item.id }), node: nodes[index]! }));
  return {
    edges,
    pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: (page.items[0]?.rank ?? 1) > 1, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: page.total,
  };
}
