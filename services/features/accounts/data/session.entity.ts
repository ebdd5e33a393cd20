import { EntitySchema } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { User } from './user.entity.js';

/** An API session. Only the SHA-256 of the opaque token is stored, so a database leak yields no usable token. */
export class Session {
  id: string = randomUUID();
  user!: User;
  tokenHash!: string;
  createdAt: Date = new Date();
  expiresAt!: Date;
  revokedAt: Date | null = null;
}

export const SessionSchema = new EntitySchema<Session>({
  class: Session,
  tableName: 'sessions',
  properties: {
    id: { type: 'uuid', primary: true },
    user: { kind: 'm:1', entity: 'User', deleteRule: 'cascade', fieldName: 'user_id', index: 'sessions_user_id_index' },
    tokenHash: { type: 'string', columnType: 'text', unique: 'sessions_token_hash_unique' },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    expiresAt: { type: 'Date', columnType: 'timestamptz' },
    revokedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});
