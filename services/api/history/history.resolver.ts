import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { loadHistoryPage, loadPageTracks } from '../../shared/db/repositories/history.repository.js';
import { badUserInput } from '../app-error.js';
import type { ApiContext } from '../graphql/context.js';
import { DEFAULT_PAGE_SIZE, HistoryArgs, MAX_PAGE_SIZE } from './history.args.js';
import { decodeHistoryCursor, encodeHistoryCursor } from './history-cursor.js';
import { PlayConnection } from './play-connection.type.js';
import type { PlaySource } from './play.type.js';

/** Earliest and latest instants a filter may name: what both Postgres and JavaScript dates represent. */
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

@Resolver()
export class HistoryResolver {
  @Query(() => PlayConnection, {
    description:
      'The caller’s plays, newest first, by keyset pagination: pass pageInfo.endCursor as `after` for the next page. ' +
      'Plays stored between two pages never shift them. `from` is inclusive, `to` exclusive.',
    complexity: ({ args, childComplexity }) => 1 + pageSizeForCost(args.first) * Math.max(1, childComplexity),
  })
  async listeningHistory(@Args(() => HistoryArgs) args: HistoryArgs, @Ctx() ctx: ApiContext): Promise<PlayConnection> {
    const session = await ctx.session();
    const first = args.first ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) throw badUserInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
    const after = args.after === null || args.after === undefined ? undefined : decodeHistoryCursor(args.after);
    const from = checkInstant(args.from, 'from');
    const to = checkInstant(args.to, 'to');
    if (from && to && from.getTime() >= to.getTime()) throw badUserInput('from must be before to (from is inclusive, to exclusive)', 'from');

    const page = await loadHistoryPage(ctx.em, { userId: session.userId, first, after, from, to });
    // The page's tracks, albums and artists in one query, here rather than in a `track` field resolver:
    // the whole page is then plain data, which graphql-js completes without a promise per play (a field
    // resolver per play was most of the API's CPU time per page: docs/benchmarks.md, history).
    const tracks = await loadPageTracks(ctx.em, session.userId, page.plays.map((play) => play.trackId));
    const edges = page.plays.map((play) => {
      const track = tracks.get(play.trackId);
      // The foreign key makes this impossible; say so plainly if it ever happens.
      if (!track) throw new Error(`track ${play.trackId} of a stored play is missing from the catalogue`);
      return {
        cursor: encodeHistoryCursor(play.position),
        node: {
          playedAt: play.playedAt,
          msPlayed: play.msPlayed,
          source: play.source as PlaySource,
          context: play.contextType === null && play.contextUri === null ? null : { type: play.contextType, uri: play.contextUri },
          track,
        },
      };
    });
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}

/** The page size the cost estimate assumes: the requested one, within the allowed range (out of range is refused later, as BAD_USER_INPUT). */
function pageSizeForCost(first: unknown): number {
  if (typeof first !== 'number' || !Number.isFinite(first)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(first)));
}

function checkInstant(value: Date | null | undefined, argument: 'from' | 'to'): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const ms = value.getTime();
  if (Number.isNaN(ms) || ms < EARLIEST || ms > LATEST) throw badUserInput(`${argument} must be a date-time between years 1 and 9999`, argument);
  return value;
}
