import { Arg, Ctx, Extensions, Query, Resolver } from 'type-graphql';
import { loadActivity, loadClock, loadPlayedSpan, loadSummary, type StatsScope } from '../../features/statistics/data/stats.repository.js';
import type { ApiContext } from '../graphql/context.js';
import { EXPENSIVE_FIELD } from '../graphql/operation-limits.js';
import { activityCost, checkActivityBuckets, clockCost, summaryCost } from './stats-cost.js';
import { checkStatsRange, STATS_EARLIEST } from './stats-span.js';
import { statsZoneOf } from './stats-zone.js';
import { ActivityBucket, ActivityPoint, ClockCell, ListeningSummary, StatsRange } from './stats.types.js';

const TIME_ZONE_ARG = { nullable: true, description: 'An IANA time zone for this query’s local days and hours; the caller’s me.timeZone when left out.' } as const;

/** The caller's statistics, recounted from their stored plays (docs/stats.md), in their time zone or the one asked for. */
@Resolver()
export class StatsResolver {
  @Query(() => ListeningSummary, { description: 'What the caller listened to over the range (all their history when it is left out).', complexity: summaryCost })
  @Extensions(EXPENSIVE_FIELD)
  async listeningSummary(
    @Arg('range', () => StatsRange, { nullable: true, description: 'The plays to count; all of them when left out.' }) range: StatsRange | null,
    @Arg('timeZone', () => String, TIME_ZONE_ARG) timeZone: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<ListeningSummary> {
    return loadSummary(ctx.em, await scopeOf(ctx, range, timeZone));
  }

  @Query(() => [ActivityPoint], {
    description:
      'The caller’s counted plays per bucket of time, every bucket from the one holding `range.from` (or the first play) to the one holding `range.to` (or now), empty ones as zeros, oldest first; at most 2,000 buckets (a longer range needs a longer bucket).',
    complexity: activityCost,
  })
  @Extensions(EXPENSIVE_FIELD)
  async listeningActivity(
    @Arg('range', () => StatsRange, { description: 'The plays to count.' }) range: StatsRange,
    @Arg('bucket', () => ActivityBucket, { description: 'The length of each bucket.' }) bucket: ActivityBucket,
    @Arg('timeZone', () => String, TIME_ZONE_ARG) timeZone: string | null,
    @Ctx() ctx: ApiContext,
  ): Promise<ActivityPoint[]> {
    const scope = await scopeOf(ctx, range, timeZone);
    // Without `from`, the first counted play (a play an import dated before the span statistics count in starts it).
    const played = scope.from ?? (await loadPlayedSpan(ctx.em, scope)).first;
    if (!played) return [];
    const first = new Date(Math.max(played.getTime(), STATS_EARLIEST));
    // The bucket holding `to` is the one of its last instant (to is exclusive); without `to`, now's.
    const last = scope.to ? new Date(scope.to.getTime() - 1) : new Date();
    if (last.getTime() < first.getTime()) return [];
    checkActivityBuckets(first, last, bucket, scope.timeZone);
    return loadActivity(ctx.em, scope, bucket, first, last);
  }

  @Query(() => [ClockCell], { description: 'The caller’s counted plays by local weekday and hour: all 168 cells, Monday 0:00 first.', complexity: clockCost })
  @Extensions(EXPENSIVE_FIELD)
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
  const { from, to } = checkStatsRange(range);
  return { userId, timeZone: zone, from, to };
}
