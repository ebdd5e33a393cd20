import { Arg, Ctx, Extensions, Int, Query, Resolver } from 'type-graphql';
import { yearFigures } from '../../features/statistics/year-in-review.js';
import type { ApiContext } from '../graphql/context.js';
import { EXPENSIVE_FIELD } from '../graphql/operation-limits.js';
import { rankedAlbums, rankedArtists, rankedTracks } from './ranked-nodes.js';
import { yearInReviewCost } from './stats-cost.js';
import { checkStatsYear } from './stats-span.js';
import { statsZoneOf } from './stats-zone.js';
import { YearInReview } from './year-in-review.types.js';

@Resolver()
export class YearInReviewResolver {
  @Query(() => YearInReview, {
    description: 'A local calendar year of the caller’s listening: its summary, top fives, busiest day and hour, new artists and months.',
    complexity: yearInReviewCost,
  })
  @Extensions(EXPENSIVE_FIELD)
  async yearInReview(
    @Arg('year', () => Int, { description: 'The calendar year, 1900 to 2199.' }) year: number,
    @Arg('timeZone', () => String, { nullable: true, description: 'An IANA time zone for the year’s bounds, days and hours; the caller’s me.timeZone when left out.' })
    timeZone: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<YearInReview> {
    checkStatsYear(year);
    const { userId, zone } = await statsZoneOf(ctx, timeZone);
    const figures = await yearFigures(ctx.em, { userId, year, timeZone: zone });
    const { busiestDay } = figures;
    return {
      year,
      timeZone: zone,
      summary: figures.summary,
      topTracks: await rankedTracks(ctx, userId, figures.topTracks),
      topArtists: await rankedArtists(ctx, userId, figures.topArtists),
      topAlbums: await rankedAlbums(ctx, userId, figures.topAlbums),
      busiestDay: busiestDay && { date: localDateOf(busiestDay.start, zone), plays: busiestDay.plays, msPlayed: busiestDay.msPlayed },
      busiestHour: figures.busiestHour,
      newArtistCount: figures.newArtistCount,
      topNewArtists: await rankedArtists(ctx, userId, figures.topNewArtists),
      months: figures.months,
    };
  }
}

/** The local date (YYYY-MM-DD) of a bucket's first instant. */
function localDateOf(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant).map((part) => [part.type, part.value]));
  return `${String(parts.year).padStart(4, '0')}-${parts.month}-${parts.day}`;
}
