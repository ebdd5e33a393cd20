import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Import, type ImportProblem, type ImportStatus } from '../entities/import.entity.js';

/** Imports of Spotify's extended streaming history (docs/import.md): the `imports` rows and their checkpoints. */

export interface ImportCounts {
  rowsRead: number;
  stored: number;
  duplicates: number;
  shortPlays: number;
  unknownTracks: number;
  skippedPodcast: number;
  skippedLocal: number;
  skippedMalformed: number;
  tracksFetched: number;
}

const COUNT_KEYS = ['rowsRead', 'stored', 'duplicates', 'shortPlays', 'unknownTracks', 'skippedPodcast', 'skippedLocal', 'skippedMalformed', 'tracksFetched'] as const;

/** Where an import continues: the audio file (in name order) and the row in it. */
export interface ImportPosition {
  entry: number;
  row: number;
}

export interface ImportRecord extends ImportCounts {
  id: string;
  userId: string;
  status: ImportStatus;
  fileName: string;
  filePath: string;
  fileBytes: number;
  resumeEntry: number;
  resumeRow: number;
  problems: ImportProblem[];
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

/** At most this many problems are kept per import (the counts still cover every row). */
export const MAX_PROBLEMS = 100;

/** Statuses of an import that is not over: it counts towards the user's pending imports. */
const PENDING: ImportStatus[] = ['queued', 'running'];

function toRecord(entity: Import): ImportRecord {
  const counts = Object.fromEntries(COUNT_KEYS.map((key) => [key, entity[key]])) as unknown as ImportCounts;
  return {
    ...counts,
    id: entity.id,
    userId: entity.user.id,
    status: entity.status,
    fileName: entity.fileName,
    filePath: entity.filePath,
    // bigint arrives as a string; file sizes stay far below 2^53.
    fileBytes: Number(entity.fileBytes),
    resumeEntry: entity.resumeEntry,
    resumeRow: entity.resumeRow,
    problems: entity.problems,
    error: entity.error,
    createdAt: entity.createdAt,
    startedAt: entity.startedAt,
    finishedAt: entity.finishedAt,
    updatedAt: entity.updatedAt,
  };
}

export async function createImport(em: EntityManager, input: { id?: string; userId: string; fileName: string; filePath: string; fileBytes: number }): Promise<ImportRecord> {
  const entity = em.create(Import, {
    id: input.id ?? randomUUID(),
    user: input.userId,
    fileName: input.fileName,
    filePath: input.filePath,
    fileBytes: String(input.fileBytes),
  });
  await em.persistAndFlush(entity);
  return toRecord(entity);
}

/** One import; with a user id, only that user's (anyone else's is "not found"). */
export async function findImport(em: EntityManager, id: string, userId?: string): Promise<ImportRecord | null> {
  const entity = await em.findOne(Import, { id, ...(userId !== undefined ? { user: userId } : {}) }, { refresh: true });
  return entity && toRecord(entity);
}

/** A user's imports, newest first. */
export async function listImports(em: EntityManager, userId: string, limit = 50): Promise<ImportRecord[]> {
  const entities = await em.find(Import, { user: userId }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit, refresh: true });
  return entities.map(toRecord);
}

/** Imports of the user that are queued or running. */
export function countPendingImports(em: EntityManager, userId: string): Promise<number> {
  return em.count(Import, { user: userId, status: { $in: PENDING } });
}

/** Cancels a queued or running import of this user; returns the import as it now is (null: not theirs). */
export async function cancelImport(em: EntityManager, id: string, userId: string): Promise<ImportRecord | null> {
  const now = new Date();
  await em.nativeUpdate(Import, { id, user: userId, status: { $in: PENDING } }, { status: 'cancelled', finishedAt: now, updatedAt: now });
  return findImport(em, id, userId);
}

/** queued → running (a retry or resumed run keeps its first start time); null when it is not to be run. */
export function startImport(em: EntityManager, id: string): Promise<ImportRecord | null> {
  return em.fork().transactional(async (tx) => {
    const entity = await tx.findOne(Import, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!entity || !['queued', 'running', 'failed'].includes(entity.status)) return null;
    entity.status = 'running';
    entity.startedAt ??= new Date();
    entity.error = null;
    entity.updatedAt = new Date();
    await tx.flush();
    return toRecord(entity);
  });
}

export type ChunkOutcome = 'recorded' | 'cancelled' | 'moved_on';

/**
 * Adds a chunk's counts and moves the checkpoint, inside the transaction that stored the chunk's plays.
 * The row is locked first: a cancelled import, or one another run has already moved past `from` (a job
 * that was thought dead and ran on), makes the caller roll back instead.
 */
export async function recordChunk(tx: EntityManager, id: string, from: ImportPosition, to: ImportPosition, counts: ImportCounts, problems: ImportProblem[]): Promise<ChunkOutcome> {
  const entity = await tx.findOne(Import, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
  if (!entity || entity.status !== 'running') return 'cancelled';
  if (entity.resumeEntry !== from.entry || entity.resumeRow !== from.row) return 'moved_on';
  entity.resumeEntry = to.entry;
  entity.resumeRow = to.row;
  for (const key of COUNT_KEYS) entity[key] += counts[key];
  if (problems.length > 0 && entity.problems.length < MAX_PROBLEMS) entity.problems = [...entity.problems, ...problems].slice(0, MAX_PROBLEMS);
  entity.updatedAt = new Date();
  await tx.flush();
  return 'recorded';
}

/** running → completed or failed; a cancelled import stays cancelled. */
export async function finishImport(em: EntityManager, id: string, status: 'completed' | 'failed', error: string | null = null): Promise<void> {
  const now = new Date();
  await em.nativeUpdate(Import, { id, status: 'running' }, { status, error, finishedAt: now, updatedAt: now });
}

export function emptyCounts(): ImportCounts {
  return Object.fromEntries(COUNT_KEYS.map((key) => [key, 0])) as unknown as ImportCounts;
}
