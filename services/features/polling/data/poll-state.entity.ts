import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { User } from '../../accounts/data/user.entity.js';

/** Where polling of one user stands: the `after` cursor and the health of recent polls. */
export class PollState {
  /** A new row starts with nothing polled yet. */
  [OptionalProps]?: 'afterCursorMs' | 'lastPolledAt' | 'lastSuccessAt' | 'lastErrorAt' | 'lastError' | 'consecutiveFailures';
  user!: User;
  /** Spotify's `after` cursor: Unix ms of the newest play already stored from polling. */
  afterCursorMs: string | null = null;
  lastPolledAt: Date | null = null;
  lastSuccessAt: Date | null = null;
  lastErrorAt: Date | null = null;
  lastError: string | null = null;
  consecutiveFailures = 0;
}

export const PollStateSchema = new EntitySchema<PollState>({
  class: PollState,
  tableName: 'poll_state',
  // The oldest last successful poll, for the polling-lag gauge (Migration20261203120000).
  indexes: [{ name: 'poll_state_last_success_at_index', properties: ['lastSuccessAt'] }],
  properties: {
    user: { kind: '1:1', entity: 'User', primary: true, owner: true, deleteRule: 'cascade', fieldName: 'user_id' },
    // bigint arrives as a string from pg: ms timestamps exceed 2^31 and must stay exact.
    afterCursorMs: { type: 'bigint', nullable: true },
    lastPolledAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    lastSuccessAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    lastErrorAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    lastError: { type: 'string', columnType: 'text', nullable: true },
    consecutiveFailures: { type: 'integer', default: 0 },
  },
});
