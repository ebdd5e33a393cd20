import { EntitySchema } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import type { User } from '../../accounts/data/user.entity.js';

/**
 * A token a listener made for a music player (docs/listenbrainz.md). Only the SHA-256 of the token is
 * stored, so a database leak yields no usable token; the listener sees the token once, when it is made.
 * It is not a session: it opens the ListenBrainz API alone, never GraphQL.
 */
export class ApiToken {
  id: string = randomUUID();
  user!: User;
  name!: string;
  tokenHash!: string;
  createdAt: Date = new Date();
  lastUsedAt: Date | null = null;
}

export const ApiTokenSchema = new EntitySchema<ApiToken>({
  class: ApiToken,
  tableName: 'api_tokens',
  properties: {
    id: { type: 'uuid', primary: true },
    user: { kind: 'm:1', entity: 'User', deleteRule: 'cascade', fieldName: 'user_id', index: 'api_tokens_user_id_index' },
    name: { type: 'string', columnType: 'text' },
    tokenHash: { type: 'string', columnType: 'text', unique: 'api_tokens_token_hash_unique' },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    lastUsedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
  },
});
