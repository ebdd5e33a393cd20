import { Arg, Ctx, Extensions, Int, Query, Resolver } from 'type-graphql';
import { searchPlayed, type SearchHit as PlayedHit } from '../../features/search/data/search.repository.js';
import { badUserInput } from '../app-error.js';
import { loadCatalogueNodes } from '../catalogue/catalogue-nodes.js';
import type { ApiContext } from '../graphql/context.js';
import { EXPENSIVE_FIELD } from '../graphql/operation-limits.js';
import { pageSizeForCost, pageSizeOf } from '../relay/connection-args.js';
import { decodeSearchCursor, encodeSearchCursor, MAX_SEARCH_OFFSET } from './search-cursor.js';
import { SearchConnection, SearchKind, type SearchHit } from './search.types.js';

const SEARCH_LIMITS = { defaultSize: 10, maxSize: 50 } as const;
const KINDS = { track: SearchKind.TRACK, album: SearchKind.ALBUM, artist: SearchKind.ARTIST } as const;
/** The longest query: longer than any name's words a search is for, short enough to keep its trigrams few. */
export const MAX_QUERY_LENGTH = 100;
/** What one search costs in the operation-cost limit: its statement, then its page times what it selects. */
const STATEMENT_COST = 50;

/** Search of what the caller played, by name (docs/search.md). */
@Resolver()
export class SearchResolver {
  @Query(() => SearchConnection, {
    description:
      'Tracks, albums and artists you played whose names match `query` — ignoring case and accents, and tolerating a typo or a word half typed — ' +
      'most played first; names your own streaming history gave tracks Spotify no longer knows included, nobody else’s.',
    complexity: ({ args, childComplexity }) => STATEMENT_COST + pageSizeForCost(args, SEARCH_LIMITS) * Math.max(1, childComplexity),
  })
  @Extensions(EXPENSIVE_FIELD)
  async search(
    @Arg('query', () => String, { description: `What to look for, 1 to ${MAX_QUERY_LENGTH} characters (spaces at either end ignored).` }) query: string,
    @Arg('first', () => Int, { nullable: true, description: `How many results, 1 to ${SEARCH_LIMITS.maxSize} (${SEARCH_LIMITS.defaultSize} when left out).` }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Only results after this cursor (an edge’s cursor, or pageInfo.endCursor).' }) after: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<SearchConnection> {
    const text = query.trim();
    if (text.length === 0 || text.length > MAX_QUERY_LENGTH) throw badUserInput(`query must hold 1 to ${MAX_QUERY_LENGTH} characters besides spaces at either end`, 'query');
    if (text.includes('\u0000')) throw badUserInput('query must not hold a NUL character', 'query');
    const { size } = pageSizeOf({ first, after, last: null, before: null }, SEARCH_LIMITS);
    const offset = after === null || after === undefined ? 0 : decodeSearchCursor(after);
    const { userId } = await ctx.session();
    const { hits, total } = await searchPlayed(ctx.em, { userId, query: text, size, offset });
    const nodes = await nodesOf(ctx, userId, hits);
    const edges = nodes.map((node, index) => ({ cursor: encodeSearchCursor(Math.min(offset + index + 1, MAX_SEARCH_OFFSET)), node }));
    return {
      edges,
      pageInfo: {
        hasNextPage: offset + hits.length < total && offset + hits.length < MAX_SEARCH_OFFSET,
        hasPreviousPage: offset > 0,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
      totalCount: total,
    };
  }
}

/** The hits with their tracks, albums and artists as the caller sees them (their own names for what Spotify no longer knows). */
async function nodesOf(ctx: ApiContext, userId: string, hits: readonly PlayedHit[]): Promise<SearchHit[]> {
  const ids = (kind: PlayedHit['kind']) => hits.filter((hit) => hit.kind === kind).map((hit) => hit.id);
  const nodes = await loadCatalogueNodes(ctx, userId, { tracks: ids('track'), albums: ids('album'), artists: ids('artist') });
  const found = { track: nodes.tracks, album: nodes.albums, artist: nodes.artists } as const;
  return hits.map((hit) => {
    const item = found[hit.kind].get(hit.id);
    if (!item) throw new Error(`search found ${hit.kind} ${hit.id}, missing from the catalogue`);
    return { kind: KINDS[hit.kind], plays: hit.plays, msPlayed: hit.ms, item };
  });
}
