import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PlayCount } from './play-count.entity.js';
import { StatsClockCell, StatsDay, StatsQuarter, StatsTrack } from './stats.entity.js';
import { User } from '../../accounts/data/user.entity.js';
import { z } from 'zod';
import { defineStatement, runStatement } from '../../../shared/db/statements/statement.js';
import { COUNTS, PLAY_MS } from './stats-rules.js';

const REBUILD_PURPOSE = 'One user’s rollup recomputed from their plays, as the triggers of listening_events would have kept it (npm run stats:rebuild).';

export const rebuildPlayCountsStatement = defineStatement({
  name: 'stats_rebuild_play_counts',
  purpose: `${REBUILD_PURPOSE} Every stored play counts here (history totals), short ones too.`,
  sql: `
insert into play_counts (user_id, day, plays)
select user_id, (played_at at time zone 'UTC')::date, count(*) from listening_events where user_id = ? group by 1, 2`,
  row: z.object({}),
});

export const rebuildQuartersStatement = defineStatement({
  name: 'stats_rebuild_quarters',
  purpose: REBUILD_PURPOSE,
  sql: `
insert into stats_quarters (user_id, quarter, plays, ms_played)
select e.user_id, date_bin('15 minutes', e.played_at, timestamptz '2000-01-01 00:00:00+00'), count(*), sum(${PLAY_MS})
  from listening_events e join tracks t on t.id = e.track_id where e.user_id = ? and ${COUNTS} group by 1, 2`,
  row: z.object({}),
});

export const rebuildTracksStatement = defineStatement({
  name: 'stats_rebuild_tracks',
  purpose: REBUILD_PURPOSE,
  sql: `
insert into stats_tracks (user_id, track_id, plays, ms_played, first_played_at, last_played_at)
select e.user_id, e.track_id, count(*), sum(${PLAY_MS}), min(e.played_at), max(e.played_at)
  from listening_events e join tracks t on t.id = e.track_id where e.user_id = ? and ${COUNTS} group by 1, 2`,
  row: z.object({}),
});

const LOCAL_PURPOSE =
  'One user’s local rollup recomputed from their quarter hours in their own time zone (a quarter hour lies in one local ' +
  'hour of any zone, so the sums are exact): after a change of zone, and by npm run stats:rebuild after the quarters.';

export const rebuildLocalDaysStatement = defineStatement({
  name: 'stats_rebuild_local_days',
  purpose: LOCAL_PURPOSE,
  sql: `
insert into stats_days (user_id, day, plays, ms_played)
select q.user_id, (q.quarter at time zone u.time_zone)::date, sum(q.plays), sum(q.ms_played)
  from stats_quarters q join users u on u.id = q.user_id where q.user_id = ? group by 1, 2`,
  row: z.object({}),
});

export const rebuildLocalClockStatement = defineStatement({
  name: 'stats_rebuild_local_clock',
  purpose: LOCAL_PURPOSE,
  sql: `
insert into stats_clock (user_id, weekday, hour, plays, ms_played)
select q.user_id, extract(isodow from q.quarter at time zone u.time_zone), extract(hour from q.quarter at time zone u.time_zone), sum(q.plays), sum(q.ms_played)
  from stats_quarters q join users u on u.id = q.user_id where q.user_id = ? group by 1, 2, 3`,
  row: z.object({}),
});

export const rebuildYearReviewVersionStatement = defineStatement({
  name: 'stats_rebuild_year_review_version',
  purpose:
    'A rebuilt user’s years in review are computed again: their version of year 0, which every year counts, moves on ' +
    '(a review counts the rollups too, which the rebuild may have changed without a play changing).',
  sql: `
insert into year_review_versions (user_id, year, version) values (?, 0, 1)
on conflict (user_id, year) do update set version = year_review_versions.version + 1`,
  row: z.object({}),
});

const REBUILD_STATEMENTS = [rebuildPlayCountsStatement, rebuildQuartersStatement, rebuildTracksStatement, rebuildYearReviewVersionStatement];

/**
 * Recomputes a user's rollups in their own time zone (stats_days, stats_clock) from their quarter hours.
 * Runs in the caller's transaction, which must hold the user's row (FOR UPDATE): a play stored meanwhile
 * waits on it (its foreign key shares the row), so its trigger then counts it in the zone committed.
 */
export async function rebuildLocalRollups(tx: EntityManager, userId: string): Promise<void> {
  await tx.nativeDelete(StatsDay, { user: userId });
  await tx.nativeDelete(StatsClockCell, { user: userId });
  await runStatement(tx, rebuildLocalDaysStatement, [userId]);
  await runStatement(tx, rebuildLocalClockStatement, [userId]);
}

/**
 * Recomputes one user's rollups (play_counts, stats_quarters, stats_tracks, then the local ones from the
 * quarters) from their plays, and moves their years in review on (docs/stats.md, "The year in review"), in one
 * transaction that holds the user's row: a play being stored for them meanwhile (its foreign key shares
 * that row) waits until the rollups are rebuilt, then counts itself. Running it again changes nothing.
 */
export async function rebuildUserRollups(em: EntityManager, userId: string): Promise<boolean> {
  return em.fork().transactional(async (tx) => {
    const user = await tx.findOne(User, userId, { lockMode: LockMode.PESSIMISTIC_WRITE, fields: ['id'] });
    if (!user) return false;
    await tx.nativeDelete(PlayCount, { user: userId });
    await tx.nativeDelete(StatsQuarter, { user: userId });
    await tx.nativeDelete(StatsTrack, { user: userId });
    for (const statement of REBUILD_STATEMENTS) await runStatement(tx, statement, [userId]);
    await rebuildLocalRollups(tx, userId);
    return true;
  });
}

/** Up to `limit` user ids after `after`, in id order (the rebuild walks them, and resumes after the last it printed). */
export async function userIdsAfter(em: EntityManager, after: string | null, limit: number): Promise<string[]> {
  const users = await em.find(User, after === null ? {} : { id: { $gt: after } }, { fields: ['id'], orderBy: { id: 'asc' }, limit });
  return users.map((user) => user.id);
}

/** How many users there are (the rebuild's progress). */
export function countUsers(em: EntityManager): Promise<number> {
  return em.count(User, {});
}
