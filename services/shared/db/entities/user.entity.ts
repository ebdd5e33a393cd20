import { EntitySchema } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

export const USER_STATUSES = ['active', 'reauth_required', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export class User {
  id: string = randomUUID();
  spotifyUserId!: string;
  displayName: string | null = null;
  status: UserStatus = 'active';
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
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
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    updatedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() },
  },
});
