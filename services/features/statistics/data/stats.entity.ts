import { EntitySchema } from '@mikro-orm/core';
import type { User } from '../../accounts/data/user.entity.js';

/**
 * Pre-aggregated statistics, kept exact by triggers on listening_events (the migrations that made these
 * tables define them; docs/stats.md): counted plays and time per user per UTC quarter hour, per local day and
 * per local clock hour of the week in their own zone, and per track with its first and last play. Read by the
 * statistics statements; written by code only to rebuild them (stats-rebuild.repository.ts, a change of zone).
 */
export class StatsQuarter {
  user!: User;
  quarter!: Date;
  plays!: number;
  msPlayed!: string;
}

export const StatsQuarterSchema = new EntitySchema<StatsQuarter>({
  class: StatsQuarter,
  tableName: 'stats_quarters',
  properties: {
    user: { kind: 'm:1', entity: 'User', primary: true, deleteRule: 'cascade', fieldName: 'user_id' },
    quarter: { type: 'Date', columnType: 'timestamptz', primary: true },
    plays: { type: 'integer' },
    msPlayed: { type: 'bigint', fieldName: 'ms_played' },
  },
});

export class StatsTrack {
  user!: User;
  trackId!: string;
  plays!: number;
  msPlayed!: string;
  firstPlayedAt!: Date;
  lastPlayedAt!: Date;
}

export const StatsTrackSchema = new EntitySchema<StatsTrack>({
  class: StatsTrack,
  tableName: 'stats_tracks',
  // A user's rows as one index range with their measures (index-only scans): the rows themselves lie scattered among other users'.
  indexes: [
    {
      name: 'stats_tracks_measures_index',
      expression: `create index "stats_tracks_measures_index" on "stats_tracks" ("user_id") include ("track_id", "plays", "ms_played", "first_played_at", "last_played_at")`,
    },
  ],
  properties: {
    user: { kind: 'm:1', entity: 'User', primary: true, deleteRule: 'cascade', fieldName: 'user_id' },
    trackId: { type: 'string', columnType: 'text', primary: true, fieldName: 'track_id' },
    plays: { type: 'integer' },
    msPlayed: { type: 'bigint', fieldName: 'ms_played' },
    firstPlayedAt: { type: 'Date', columnType: 'timestamptz' },
    lastPlayedAt: { type: 'Date', columnType: 'timestamptz' },
  },
});

/** Counted plays and time per user per local day of the user's own time zone. */
export class StatsDay {
  user!: User;
  day!: string;
  plays!: number;
  msPlayed!: string;
}

export const StatsDaySchema = new EntitySchema<StatsDay>({
  class: StatsDay,
  tableName: 'stats_days',
  properties: {
    user: { kind: 'm:1', entity: 'User', primary: true, deleteRule: 'cascade', fieldName: 'user_id' },
    day: { type: 'string', columnType: 'date', primary: true },
    plays: { type: 'integer' },
    msPlayed: { type: 'bigint', fieldName: 'ms_played' },
  },
});

/** Counted plays and time per user per local ISO weekday and hour of the user's own time zone, over the whole history. */
export class StatsClockCell {
  user!: User;
  weekday!: number;
  hour!: number;
  plays!: number;
  msPlayed!: string;
}

export const StatsClockCellSchema = new EntitySchema<StatsClockCell>({
  class: StatsClockCell,
  tableName: 'stats_clock',
  properties: {
    user: { kind: 'm:1', entity: 'User', primary: true, deleteRule: 'cascade', fieldName: 'user_id' },
    weekday: { type: 'smallint', primary: true },
    hour: { type: 'smallint', primary: true },
    plays: { type: 'integer' },
    msPlayed: { type: 'bigint', fieldName: 'ms_played' },
  },
});
