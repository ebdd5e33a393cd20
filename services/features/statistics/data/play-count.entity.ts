import { EntitySchema } from '@mikro-orm/core';
import type { User } from '../../accounts/data/user.entity.js';

/**
 * How many plays a user has per UTC day. Triggers on listening_events keep it exact (the migration
 * that made this table defines them), so a history's total — whatever its range — is a sum over days
 * plus the plays of at most two partial days, rather than a count of every play.
 */
export class PlayCount {
  user!: User;
  /** The UTC day, `YYYY-MM-DD`. */
  day!: string;
  plays!: number;
}

export const PlayCountSchema = new EntitySchema<PlayCount>({
  class: PlayCount,
  tableName: 'play_counts',
  properties: {
    user: { kind: 'm:1', entity: 'User', primary: true, deleteRule: 'cascade', fieldName: 'user_id' },
    day: { type: 'string', columnType: 'date', primary: true },
    plays: { type: 'integer' },
  },
  // The lake run finds a changed day's users by it (docs/lake.md).
  indexes: [{ name: 'play_counts_day_index', properties: ['day'] }],
});
