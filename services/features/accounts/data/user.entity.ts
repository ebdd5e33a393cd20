import { EntitySchema, type Opt } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { PollState } from '../../polling/data/poll-state.entity.js';
import type { SpotifyCredentials } from './spotify-credentials.entity.js';

export const USER_STATUSES = ['active', 'reauth_required', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export class User {
  id: string = randomUUID();
  spotifyUserId!: string;
  displayName: string | null = null;
  status: UserStatus = 'active';
  /** The IANA time zone the user's statistics use unless a query names another. */
  timeZone: Opt<string> = 'UTC';
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
  /** Inverse sides (the rows live in their own tables, keyed by the user): loaded only when asked for. */
  pollState?: PollState | null;
  credentials?: SpotifyCredentials | null;
}

export const UserSchema = new EntitySchema<User>({
  class: User,
  tableName: 'users',
  // The scheduler walks active users in id order (keyset scan): one index serves it.
  indexes: [{ name: 'users_status_id_index', properties: ['status', 'id'] }],
  properties: {
    id: { type: 'uuid', primary: true },
    spotifyUserId: { type: 'string', columnType: 'text', unique: 'users_spotify_user_id_unique' },
    displayName: { type: 'string', columnType: 'text', nullable: true },
    status: { enum: true, items: () => [...USER_STATUSES], default: 'active' },
    timeZone: { type: 'string', columnType: 'text', default: 'UTC' },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() },
    pollState: { kind: '1:1', entity: 'PollState', mappedBy: 'user', nullable: true },
    credentials: { kind: '1:1', entity: 'SpotifyCredentials', mappedBy: 'user', nullable: true },
  },
});
