import { Arg, Ctx, Extensions, Int, Query, Resolver } from 'type-graphql';
import { loadNewArtists, loadRanking } from '../../features/statistics/data/stats-rankings.repository.js';
import { loadActivity, loadClock, loadSummary, localYear } from '../../features/statistics/data/stats.repository.js';
import type { ApiContext } from '../graphql/context.js';
import { EXPENSIVE_FIELD } from '../graphql/operation-limits.js';
import { rankedAlbums, rankedArtists, rankedTracks } from './ranked-nodes.js';
import { yearInReviewCost } from './stats-cost.js';
import { checkStatsYear } from './stats-span.js';
import { statsZoneOf } from './stats-zone.js';
import { YearInReview } from './year-in-review.types.js';

const TOP = 5;

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
    const { from, to } = await localYear(ctx.em, year, zone);
    const scope = { userId, timeZone: zone, from, to };
    const summary = await loadSummary(ctx.em, scope);
    const ranking = (kind: 'track' | 'album' | 'artist') => loadRanking(ctx.em, { userId, from, to, kind, order: 'plays', size: TOP });
    const [tracks, artists, albums] = [await ranking('track'), await ranking('artist'), await ranking('album')];
    const newArtists = await loadNewArtists(ctx.em, { userId, from, to, size: TOP });
    const days = await loadActivity(ctx.em, scope, 'day', from, new Date(to.getTime() - 1));
    const clock = await loadClock(ctx.em, scope);
    const months = await loadActivity(ctx.em, scope, 'month', from, new Date(to.getTime() - 1));
    const busiest = days.reduce<(typeof days)[number] | null>((best, day) => (day.plays > 0 && (!best || day.plays > best.plays) ? day : best), null);
    const busiestHour = clock.reduce<(typeof clock)[number] | null>((best, cell) => (cell.plays > 0 && (!best || cell.plays > best.plays) ? cell : best), null);
    return {
      year,
      timeZone: zone,
      summary,
      topTracks: await rankedTracks(ctx, userId, tracks.items),
      topArtists: await rankedArtists(ctx, userId, artists.items),
      topAlbums: await rankedAlbums(ctx, userId, albums.items),
      busiestDay: busiest && { date: localDateOf(busiest.start, zone), plays: busiest.plays, msPlayed: busiest.msPlayed },
      busiestHour,
      newArtistCount: newArtists.total,
      topNewArtists: await rankedArtists(ctx, userId, newArtists.items),
      months,
    };
  }
}

/** The local date (YYYY-MM-DD) of a bucket's first instant. */
function localDateOf(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant).map((part) => [part.type, part.value]));
  return `${String(parts.year).padStart(4, '0')}-${parts.month}-${parts.day}`;
}
