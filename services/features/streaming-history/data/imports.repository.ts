import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Import, type ImportProblem, type ImportStatus } from './import.entity.js';
import { User } from '../../accounts/data/user.entity.js';

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
  /** Where the upload waits on disk; null once it is deleted. */
  filePath: string | null;
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
const PENDING: ImportStatus[] = ['receiving', 'queued', 'running'];

/** What users see: an upload still arriving is not an import yet. */
export const VISIBLE = { $ne: 'receiving' as const };

/** Imports whose file may still be used: the upload's bytes count towards the user's disk quota. */
const HOLDING_FILES: ImportStatus[] = [...PENDING, 'failed'];

export function toImportRecord(entity: Import): ImportRecord {
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
  await em.persist(entity).flush();
  return toImportRecord(entity);
}

export type Reservation = { reserved: ImportRecord } | { refused: 'too_many_pending'; pending: number } | { refused: 'over_quota'; heldBytes: number };

/**
 * Holds a place for an upload before its body is read: a `receiving` row, created only if the user has
 * fewer than `maxPending` imports not over and their imports' files, with `reservedBytes` more, stay
 * within `maxUserBytes`. The user's row is locked while this is decided, so concurrent uploads of one
 * user are counted one after the other and none slips past the limits.
 */
export function reserveImport(
  em: EntityManager,
  input: { id: string; userId: string; fileName: string; filePath: string; reservedBytes: number; maxPending: number; maxUserBytes: number },
): Promise<Reservation> {
  return em.fork().transactional(async (tx) => {
    await tx.findOneOrFail(User, input.userId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const holding = await tx.find(Import, { user: input.userId, status: { $in: HOLDING_FILES }, filePath: { $ne: null } }, { fields: ['status', 'fileBytes'] });
    const pending = holding.filter((entity) => PENDING.includes(entity.status)).length;
    if (pending >= input.maxPending) return { refused: 'too_many_pending', pending } as const;
    const heldBytes = holding.reduce((sum, entity) => sum + Number(entity.fileBytes), 0);
    if (heldBytes + input.reservedBytes > input.maxUserBytes) return { refused: 'over_quota', heldBytes } as const;
    const entity = tx.create(Import, { id: input.id, user: input.userId, status: 'receiving', fileName: input.fileName, filePath: input.filePath, fileBytes: String(input.reservedBytes) });
    await tx.flush();
    return { reserved: toImportRecord(entity) };
  });
}

/** receiving → queued, with the upload's real size; false when the row is gone (the account was deleted meanwhile). */
export async function completeUpload(em: EntityManager, id: string, fileBytes: number): Promise<boolean> {
  // One conditional statement, not load-and-flush: the sweep may discard the row, or its account go, between a read and a write.
  return (await em.nativeUpdate(Import, { id, status: 'receiving' }, { status: 'queued', fileBytes: String(fileBytes), updatedAt: new Date() })) > 0;
}

/** An upload that did not arrive: its row goes, and the place it held with it. */
export async function discardUpload(em: EntityManager, id: string): Promise<void> {
  // One conditional statement, not load-and-remove: an upload that completed meanwhile (now queued) must stay.
  await em.nativeDelete(Import, { id, status: 'receiving' });
}

/** One import; with a user id, only that user's (anyone else's is "not found"). */
export async function findImport(em: EntityManager, id: string, userId?: string): Promise<ImportRecord | null> {
  const entity = await em.findOne(Import, { id, status: VISIBLE, ...(userId !== undefined ? { user: userId } : {}) }, { refresh: true });
  return entity && toImportRecord(entity);
}

/** Every import of the user, uploads still arriving included: what deleting the account must clean up. */
export async function importsOfUser(em: EntityManager, userId: string): Promise<Array<{ id: string; filePath: string | null }>> {
  const entities = await em.find(Import, { user: userId }, { fields: ['filePath'] });
  return entities.map((entity) => ({ id: entity.id, filePath: entity.filePath }));
}

/**
 * Cancels one of the user's imports that is queued, running or failed (a failed one so that its file
 * can go); returns it as it was and as it now is (null: not theirs).
 */
export async function cancelImport(em: EntityManager, id: string, userId: string): Promise<{ before: ImportRecord; after: ImportRecord } | null> {
  const before = await findImport(em, id, userId);
  if (!before) return null;
  const now = new Date();
  // One conditional statement, not load-and-flush: the worker may complete or fail the import between a read and a write.
  await em.nativeUpdate(Import, { id, user: userId, status: { $in: ['queued', 'running', 'failed'] } }, { status: 'cancelled', finishedAt: before.finishedAt ?? now, updatedAt: now });
  const after = await findImport(em, id, userId);
  return after && { before, after };
}

/** The import's upload has been deleted from disk. */
export async function forgetImportFile(em: EntityManager, id: string): Promise<void> {
  // Read afresh: a flush writes what differs from what this EntityManager last saw of the row, not from the row.
  const entity = await em.findOne(Import, id, { refresh: true });
  if (!entity) return;
  entity.filePath = null;
  await em.flush();
}

/**
 * Ids of the imports whose file may still be read (receiving, queued, running, failed): any other
 * upload in the import directory belongs to nothing.
 */
export async function importsHoldingFiles(em: EntityManager): Promise<Set<string>> {
  const entities = await em.find(Import, { status: { $in: HOLDING_FILES }, filePath: { $ne: null } }, { fields: ['id'] });
  return new Set(entities.map((entity) => entity.id));
}

/**
 * Uploads that stopped arriving before `before` (the API that received them stopped) and failed imports
 * that ended before `before` (too old to be retried): their files can go. Returns their ids and files.
 */
export async function abandonedImportFiles(em: EntityManager, before: { receiving: Date; failed: Date }): Promise<Array<{ id: string; status: ImportStatus; filePath: string }>> {
  const entities = await em.find(
    Import,
    {
      filePath: { $ne: null },
      $or: [
        { status: 'receiving', updatedAt: { $lt: before.receiving } },
        { status: 'failed', finishedAt: { $lt: before.failed } },
      ],
    },
    { fields: ['status', 'filePath'] },
  );
  return entities.map((entity) => ({ id: entity.id, status: entity.status, filePath: entity.filePath! }));
}

/** Whether the import's row still exists (it goes with its user's account). */
export async function importExists(em: EntityManager, id: string): Promise<boolean> {
  return (await em.count(Import, { id })) > 0;
}

/** queued → running (a retry or resumed run keeps its first start time); null when it is not to be run. */
export function startImport(em: EntityManager, id: string): Promise<ImportRecord | null> {
  return em.fork().transactional(async (tx) => {
    const entity = await tx.findOne(Import, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!entity || !['queued', 'running', 'failed'].includes(entity.status)) return null;
    entity.status = 'running';
    entity.startedAt ??= new Date();
    entity.error = null;
    await tx.flush();
    return toImportRecord(entity);
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
  await tx.flush();
  return 'recorded';
}

/**
 * queued or running → completed or failed (one that never ran can fail too); a cancelled import stays
 * cancelled. `fileDeleted`: its upload is gone from disk (a completed import's always is).
 */
export async function finishImport(em: EntityManager, id: string, status: 'completed' | 'failed', error: string | null = null, options: { fileDeleted?: boolean } = {}): Promise<void> {
  const now = new Date();
  const fileDeleted = options.fileDeleted ?? status === 'completed';
  // One conditional statement, not load-and-flush: a cancel between a read and a write must stay a cancel.
  await em.nativeUpdate(Import, { id, status: { $in: ['queued', 'running'] } }, { status, error, finishedAt: now, updatedAt: now, ...(fileDeleted ? { filePath: null } : {}) });
}

export function emptyCounts(): ImportCounts {
  return Object.fromEntries(COUNT_KEYS.map((key) => [key, 0])) as unknown as ImportCounts;
}
