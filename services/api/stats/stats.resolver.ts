import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { loadActivity, loadClock, loadPlayedSpan, loadSummary, type StatsScope } from '../../shared/db/repositories/stats.repository.js';
import { badUserInput } from '../app-error.js';
import type { ApiContext } from '../graphql/context.js';
import { checkRange } from '../history/instants.js';
import { statsZoneOf } from './stats-zone.js';
import { ActivityBucket, ActivityPoint, ClockCell, ListeningSummary, StatsRange } from './stats.types.js';

/** Most buckets one listeningActivity answers (27 years of days). */
export const MAX_ACTIVITY_BUCKETS = 10_000;
const DAYS_PER_BUCKET: Record<ActivityBucket, number> = { day: 1, week: 7, month: 28, year: 365 };
const TIME_ZONE_ARG = { nullable: true, description: 'An IANA time zone for this query’s local days and hours; the caller’s me.timeZone when left out.' } as const;

/** The caller's statistics, recounted from their stored plays (docs/stats.md), in their time zone or the one asked for. */
@Resolver()
export class StatsResolver {
  @Query(() => ListeningSummary, { description: 'What the caller listened to over the range (all their history when it is left out).' })
  async listeningSummary(
    @Arg('range', () => StatsRange, { nullable: true, description: 'The plays to count; all of them when left out.' }) range: StatsRange | null,
    @Arg('timeZone', () => String, TIME_ZONE_ARG) timeZone: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<ListeningSummary> {
    return loadSummary(ctx.em, await scopeOf(ctx, range, timeZone));
  }

  @Query(() => [ActivityPoint], {
    description:
      'The caller’s counted plays per bucket of time, every bucket from the one holding `range.from` (or the first play) to the one holding `range.to` (or now), empty ones as zeros, oldest first; at most 10,000 buckets.',
  })
  async listeningActivity(
    @Arg('range', () => StatsRange, { description: 'The plays to count.' }) range: StatsRange,
    @Arg('bucket', () => ActivityBucket, { description: 'The length of each bucket.' }) bucket: ActivityBucket,
    @Arg('timeZone', () => String, TIME_ZONE_ARG) timeZone: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<ActivityPoint[]> {
    const scope = await scopeOf(ctx, range, timeZone);
    const first = scope.from ?? (await loadPlayedSpan(ctx.em, scope)).first;
    if (!first) return [];
    // The bucket holding `to` is the one of its last instant (to is exclusive); without `to`, now's.
    const last = scope.to ? new Date(scope.to.getTime() - 1) : new Date();
    if (last.getTime() < first.getTime()) return [];
    const buckets = (last.getTime() - first.getTime()) / 86_400_000 / DAYS_PER_BUCKET[bucket] + 2;
    if (buckets > MAX_ACTIVITY_BUCKETS) {
      throw badUserInput(`the range holds more than ${MAX_ACTIVITY_BUCKETS} buckets of a ${bucket}: choose a longer bucket or a shorter range`, 'range');
    }
    return loadActivity(ctx.em, scope, bucket, first, last);
  }

  @Query(() => [ClockCell], { description: 'The caller’s counted plays by local weekday and hour: all 168 cells, Monday 0:00 first.' })
  async listeningClock(
    @Arg('range', () => StatsRange, { nullable: true, description: 'The plays to count; all of them when left out.' }) range: StatsRange | null,
    @Arg('timeZone', () => String, TIME_ZONE_ARG) timeZone: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<ClockCell[]> {
    return loadClock(ctx.em, await scopeOf(ctx, range, timeZone));
  }
}

/** The caller, the checked range and the time zone a statistics query counts in. */
async function scopeOf(ctx: ApiContext, range: StatsRange | null, timeZone: string | null): Promise<StatsScope> {
  const { userId, zone } = await statsZoneOf(ctx, timeZone);
  const { from, to } = checkRange(range ?? {}, { from: 'range.from', to: 'range.to' });
  return { userId, timeZone: zone, from, to };
}
