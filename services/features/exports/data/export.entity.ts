import { BigIntType, EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { User } from '../../accounts/data/user.entity.js';

export const EXPORT_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

export const EXPORT_FORMATS = ['listenbrainz_jsonl', 'csv', 'json'] as const;
export type ExportFormatName = (typeof EXPORT_FORMATS)[number];

/**
 * One personal export of a user's whole history (docs/export.md): asked for in GraphQL, written by the
 * worker to EXPORT_DIR, downloaded by its owner until `expiresAt`, then swept away with its file.
 */
export class Export {
  [OptionalProps]?: 'status' | 'rows' | 'skipped' | 'bytes' | 'filePath' | 'error' | 'createdAt' | 'finishedAt' | 'updatedAt' | 'resumePlayedAt' | 'resumeTrackId' | 'partialPath';
  id!: string;
  user!: User;
  format!: ExportFormatName;
  status: ExportStatus = 'queued';
  /**
   * Plays written, and plays left out because nothing names their track (docs/export.md); the file's
   * size. While it is written: how far its last turn got (the first `bytes` bytes of `partialPath`).
   */
  rows = 0;
  skipped = 0;
  bytes = 0;
  /** The finished file; null until the export completes. */
  filePath: string | null = null;
  error: string | null = null;
  /** Where the next turn continues: after this play (played_at with microseconds, track id); null before the first turn ends. */
  resumePlayedAt: string | null = null;
  resumeTrackId: string | null = null;
  /** The file holding what the turns so far wrote; null when none did. */
  partialPath: string | null = null;
  createdAt: Date = new Date();
  finishedAt: Date | null = null;
  updatedAt: Date = new Date();
  expiresAt!: Date;
}

// 64-bit in the database; read as numbers (a history's rows and bytes stay far below 2^53).
const counter = new BigIntType('number');

export const ExportSchema = new EntitySchema<Export>({
  class: Export,
  tableName: 'exports',
  indexes: [
    { name: 'exports_user_id_created_at_index', properties: ['user', 'createdAt'] },
    { name: 'exports_expires_at_index', properties: ['expiresAt'] },
  ],
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    user: { kind: 'm:1', entity: 'User', deleteRule: 'cascade', fieldName: 'user_id' },
    format: { enum: true, items: () => [...EXPORT_FORMATS] },
    status: { enum: true, items: () => [...EXPORT_STATUSES], default: 'queued' },
    rows: { type: counter, default: 0 },
    skipped: { type: counter, default: 0 },
    bytes: { type: counter, default: 0 },
    filePath: { type: 'string', columnType: 'text', nullable: true },
    error: { type: 'string', columnType: 'text', nullable: true },
    resumePlayedAt: { type: 'string', columnType: 'text', nullable: true },
    resumeTrackId: { type: 'string', columnType: 'text', nullable: true },
    partialPath: { type: 'string', columnType: 'text', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    finishedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    updatedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() },
    expiresAt: { type: 'Date', columnType: 'timestamptz' },
  },
});
