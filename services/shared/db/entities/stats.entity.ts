import { EntitySchema } from '@mikro-orm/core';
import type { User } from './user.entity.js';

/**
 * Pre-aggregated statistics, kept exact by triggers on listening_events (the migration that made these
 * tables defines them; docs/stats.md): counted plays and time per user per UTC quarter hour, and per user
 * per track with its first and last play. Read by the statistics statements, never written by code.
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
  properties: {
    user: { kind: 'm:1', entity: 'User', primary: true, deleteRule: 'cascade', fieldName: 'user_id' },
    trackId: { type: 'string', columnType: 'text', primary: true, fieldName: 'track_id' },
    plays: { type: 'integer' },
    msPlayed: { type: 'bigint', fieldName: 'ms_played' },
    firstPlayedAt: { type: 'Date', columnType: 'timestamptz' },
    lastPlayedAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
