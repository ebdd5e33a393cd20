import { BigIntType, EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { User } from '../../accounts/data/user.entity.js';

/** `receiving`: its upload is still arriving (the row holds the user's place among pending imports); not shown to users. */
export const IMPORT_STATUSES = ['receiving', 'queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** One problem met while importing, kept for the user (never a row's private fields: see streaming-history-row.ts). */
export interface ImportProblem {
  file: string;
  row: number;
  message: string;
}

/**
 * One upload of a Spotify extended streaming history and how far its processing got.
 *
 * `resumeEntry` / `resumeRow` are the checkpoint: the audio file (in name order) and the row in it the
 * next chunk starts at. They are written in the same transaction as that chunk's plays and counts, so
 * a worker that dies at any point resumes exactly where the last committed chunk ended.
 */
export class Import {
  /** Set by default when a row is created: the caller gives the id, the user and the file only. */
  [OptionalProps]?:
    | 'status'
    | 'resumeEntry'
    | 'resumeRow'
    | 'rowsRead'
    | 'stored'
    | 'duplicates'
    | 'shortPlays'
    | 'unknownTracks'
    | 'skippedPodcast'
    | 'skippedLocal'
    | 'skippedMalformed'
    | 'tracksFetched'
    | 'problems'
    | 'error'
    | 'createdAt'
    | 'startedAt'
    | 'finishedAt'
    | 'updatedAt';
  id!: string;
  user!: User;
  status: ImportStatus = 'queued';
  /** The name the file was uploaded with (shown to the user), and where it waits on disk (null once deleted). */
  fileName!: string;
  filePath!: string | null;
  fileBytes!: string;
  resumeEntry = 0;
  resumeRow = 0;
  rowsRead = 0;
  stored = 0;
  duplicates = 0;
  shortPlays = 0;
  unknownTracks = 0;
  skippedPodcast = 0;
  skippedLocal = 0;
  skippedMalformed = 0;
  tracksFetched = 0;
  problems: ImportProblem[] = [];
  error: string | null = null;
  createdAt: Date = new Date();
  startedAt: Date | null = null;
  finishedAt: Date | null = null;
  updatedAt: Date = new Date();
}

// 64-bit in the database; read as numbers (the row limit keeps them far below 2^53).
const counter = new BigIntType('number');

export const ImportSchema = new EntitySchema<Import>({
  class: Import,
  tableName: 'imports',
  indexes: [{ name: 'imports_user_id_created_at_index', properties: ['user', 'createdAt'] }],
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    user: { kind: 'm:1', entity: 'User', deleteRule: 'cascade', fieldName: 'user_id' },
    status: { enum: true, items: () => [...IMPORT_STATUSES], default: 'queued' },
    fileName: { type: 'string', columnType: 'text' },
    filePath: { type: 'string', columnType: 'text', nullable: true },
    // bigint arrives as a string from pg.
    fileBytes: { type: 'bigint' },
    resumeEntry: { type: counter, default: 0 },
    resumeRow: { type: counter, default: 0 },
    rowsRead: { type: counter, default: 0 },
    stored: { type: counter, default: 0 },
    duplicates: { type: counter, default: 0 },
    shortPlays: { type: counter, default: 0 },
    unknownTracks: { type: counter, default: 0 },
    skippedPodcast: { type: counter, default: 0 },
    skippedLocal: { type: counter, default: 0 },
    skippedMalformed: { type: counter, default: 0 },
    tracksFetched: { type: counter, default: 0 },
    problems: { type: 'json', columnType: 'jsonb', defaultRaw: `'[]'` },
    error: { type: 'string', columnType: 'text', nullable: true },
    createdAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()' },
    startedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    finishedAt: { type: 'Date', columnType: 'timestamptz', nullable: true },
    updatedAt: { type: 'Date', columnType: 'timestamptz', defaultRaw: 'now()', onUpdate: () => new Date() },
  },
});
