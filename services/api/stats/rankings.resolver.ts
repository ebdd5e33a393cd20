import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { loadHeardCatalogue } from '../../shared/db/repositories/heard-catalogue.repository.js';
import { loadPageTracks } from '../../shared/db/repositories/history.repository.js';
import { loadRanking, type RankedKind, type RankingPage } from '../../shared/db/repositories/stats-rankings.repository.js';
import { toAlbum, toArtist, toTrack } from '../catalogue/to-catalogue.js';
import type { ApiContext } from '../graphql/context.js';
import { checkRange } from '../history/instants.js';
import { pageSizeForCost, pageSizeOf } from '../relay/connection-args.js';
import { decodeRankingCursor, encodeRankingCursor } from './ranking-cursor.js';
import { AlbumRankingConnection, ArtistRankingConnection, RankOrder, TrackRankingConnection } from './ranking.types.js';
import { StatsRange } from './stats.types.js';

const RANKING_LIMITS = { defaultSize: 50, maxSize: 200 } as const;
const RANGE_ARG = { nullable: true, description: 'The plays to count; all of them when left out.' } as const;
const ORDER_ARG = { defaultValue: RankOrder.PLAYS, description: 'What to rank by.' } as const;
const FIRST_ARG = { nullable: true, description: 'How many items, 1 to 200 (50 when left out).' } as const;
const AFTER_ARG = { nullable: true, description: 'Only items after this cursor (an edge’s cursor, or pageInfo.endCursor).' } as const;
const cost = ({ args, childComplexity }: { args: Record<string, unknown>; childComplexity: number }) => 1 + pageSizeForCost(args, RANKING_LIMITS) * Math.max(1, childComplexity);
const ORDERING = ' Ties go to the other measure, then to the id; `rank` is the place in that order.';

/** The caller's top tracks, albums and artists over a range, recounted from their plays (docs/stats.md). */
@Resolver()
export class RankingsResolver {
  @Query(() => TrackRankingConnection, { description: `The caller’s tracks, most played (or most listened to) first.${ORDERING}`, complexity: cost })
  async topTracks(
    @Arg('range', () => StatsRange, RANGE_ARG) range: StatsRange | null,
    @Arg('orderBy', () => RankOrder, ORDER_ARG) orderBy: RankOrder,
    @Arg('first', () => Int, FIRST_ARG) first: number | null,
    @Arg('after', () => String, AFTER_ARG) after: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<InstanceType<typeof TrackRankingConnection>> {
    const { userId, page } = await rankingOf(ctx, 'track', { range, orderBy, first, after });
    const tracks = await loadPageTracks(ctx.em, userId, page.items.map((item) => item.id));
    return connectionOf('track', orderBy, page, (id) => {
      const track = tracks.get(id);
      if (!track) throw new Error(`ranked track ${id} is missing from the catalogue`);
      return { track: toTrack(track) };
    });
  }

  @Query(() => AlbumRankingConnection, { description: `The caller’s albums, most played (or most listened to) first.${ORDERING}`, complexity: cost })
  async topAlbums(
    @Arg('range', () => StatsRange, RANGE_ARG) range: StatsRange | null,
    @Arg('orderBy', () => RankOrder, ORDER_ARG) orderBy: RankOrder,
    @Arg('first', () => Int, FIRST_ARG) first: number | null,
    @Arg('after', () => String, AFTER_ARG) after: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<InstanceType<typeof AlbumRankingConnection>> {
    const { userId, page } = await rankingOf(ctx, 'album', { range, orderBy, first, after });
    const { albums } = await loadHeardCatalogue(ctx.em, userId, { tracks: [], albums: page.items.map((item) => item.id), artists: [] });
    return connectionOf('album', orderBy, page, (id) => {
      const album = albums.get(id);
      if (!album) throw new Error(`ranked album ${id} is missing`);
      return { album: toAlbum(album) };
    });
  }

  @Query(() => ArtistRankingConnection, { description: `The caller’s artists, most played (or most listened to) first.${ORDERING}`, complexity: cost })
  async topArtists(
    @Arg('range', () => StatsRange, RANGE_ARG) range: StatsRange | null,
    @Arg('orderBy', () => RankOrder, ORDER_ARG) orderBy: RankOrder,
    @Arg('first', () => Int, FIRST_ARG) first: number | null,
    @Arg('after', () => String, AFTER_ARG) after: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<InstanceType<typeof ArtistRankingConnection>> {
    const { userId, page } = await rankingOf(ctx, 'artist', { range, orderBy, first, after });
    const { artists } = await loadHeardCatalogue(ctx.em, userId, { tracks: [], albums: [], artists: page.items.map((item) => item.id) });
    return connectionOf('artist', orderBy, page, (id) => {
      const artist = artists.get(id);
      if (!artist) throw new Error(`ranked artist ${id} is missing`);
      return { artist: toArtist(artist) };
    });
  }
}

async function rankingOf(ctx: ApiContext, kind: RankedKind, args: { range: StatsRange | null; orderBy: RankOrder; first: number | null; after: string | null }) {
  const session = await ctx.session();
  const { size } = pageSizeOf({ first: args.first, after: args.after, last: null, before: null }, RANKING_LIMITS);
  const { from, to } = checkRange(args.range ?? {}, { from: 'range.from', to: 'range.to' });
  const after = args.after === null || args.after === undefined ? undefined : decodeRankingCursor(kind, args.orderBy, args.after);
  const page = await loadRanking(ctx.em, { userId: session.userId, from, to, kind, order: args.orderBy, size, after });
  return { userId: session.userId, page };
}

function connectionOf<Node extends object>(kind: RankedKind, order: RankOrder, page: RankingPage, nodeOf: (id: string) => Node) {
  const edges = page.items.map((item) => ({
    cursor: encodeRankingCursor(kind, order, { plays: item.plays, ms: item.ms, id: item.id }),
    node: { rank: item.rank, plays: item.plays, msPlayed: item.ms, firstPlayedAt: item.firstPlayedAt, lastPlayedAt: item.lastPlayedAt, ...nodeOf(item.id) },
  }));
  return {
    edges,
    pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: (page.items[0]?.rank ?? 1) > 1, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: page.total,
  };
}
