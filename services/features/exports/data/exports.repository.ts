import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Export, type ExportFormatName, type ExportStatus } from './export.entity.js';
import { User } from '../../accounts/data/user.entity.js';
import type { ExportPosition } from './export-plays.repository.js';

/** Personal exports (docs/export.md): the `exports` rows. */

export interface ExportRecord {
  id: string;
  userId: string;
  format: ExportFormatName;
  status: ExportStatus;
  rows: number;
  skipped: number;
  bytes: number;
  /** The finished file; null until the export completes. */
  filePath: string | null;
  /** While it is written: where its last turn stopped (after this play), and the file holding the first `bytes` bytes up to there. */
  resume: ExportPosition | null;
  partialPath: string | null;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  expiresAt: Date;
}

/** Statuses of an export not over yet: they count towards the user's pending exports. */
const PENDING: ExportStatus[] = ['queued', 'running'];

/** The files an export may hold on disk: its finished file and the one its turns wrote so far. */
export interface ExportFiles {
  id: string;
  filePath: string | null;
  partialPath: string | null;
}

const filesOf = (entity: Pick<Export, 'id' | 'filePath' | 'partialPath'>): ExportFiles => ({ id: entity.id, filePath: entity.filePath, partialPath: entity.partialPath });

export function toExportRecord(entity: Export): ExportRecord {
  return {
    id: entity.id,
    userId: entity.user.id,
    format: entity.format,
    status: entity.status,
    rows: entity.rows,
    skipped: entity.skipped,
    bytes: entity.bytes,
    filePath: entity.filePath,
    resume: entity.resumePlayedAt !== null && entity.resumeTrackId !== null ? { playedAtText: entity.resumePlayedAt, trackId: entity.resumeTrackId } : null,
    partialPath: entity.partialPath,
    error: entity.error,
    createdAt: entity.createdAt,
    finishedAt: entity.finishedAt,
    expiresAt: entity.expiresAt,
  };
}

export type ExportReservation = { created: ExportRecord; replaced: ExportFiles[] } | { refused: 'too_many_pending'; pending: number };

/**
 * Creates a queued export unless the user already has `maxPending` exports not over. A user keeps at most
 * `maxKept` exports in all (whatever their status, expired ones not swept yet included): to make room, their
 * oldest finished ones (completed or failed) are deleted here, and their files are returned for the caller
 * to delete once this has committed. The user's row is locked meanwhile, so two requests of one user at
 * once are counted one after the other.
 */
export function createExport(em: EntityManager, input: { userId: string; format: ExportFormatName; expiresAt: Date; maxPending: number; maxKept: number }): Promise<ExportReservation> {
  return em.fork().transactional(async (tx) => {
    await tx.findOneOrFail(User, input.userId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const kept = await tx.find(Export, { user: input.userId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const pending = kept.filter((entity) => PENDING.includes(entity.status)).length;
    if (pending >= input.maxPending) return { refused: 'too_many_pending', pending } as const;
    const replaced = kept.filter((entity) => !PENDING.includes(entity.status)).slice(0, Math.max(0, kept.length + 1 - input.maxKept));
    // Only when maxKept is below maxPending (the configuration refuses that): no finished export is left to replace.
    if (kept.length + 1 - replaced.length > input.maxKept) return { refused: 'too_many_pending', pending } as const;
    tx.remove(replaced);
    const entity = tx.create(Export, { id: randomUUID(), user: input.userId, format: input.format, expiresAt: input.expiresAt });
    await tx.flush();
    return { created: toExportRecord(entity), replaced: replaced.map(filesOf) };
  });
}

/** One export that has not expired; with a user id, only that user's (anyone else's is "not found"). */
export async function findExport(em: EntityManager, id: string, options: { userId?: string; now?: Date } = {}): Promise<ExportRecord | null> {
  const entity = await em.findOne(
    Export,
    { id, expiresAt: { $gt: options.now ?? new Date() }, ...(options.userId !== undefined ? { user: options.userId } : {}) },
    { refresh: true },
  );
  return entity && toExportRecord(entity);
}

/** queued, running or failed → running; null when the export is gone or already completed. */
export function startExport(em: EntityManager, id: string): Promise<ExportRecord | null> {
  return em.fork().transactional(async (tx) => {
    const entity = await tx.findOne(Export, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!entity || entity.status === 'completed') return null;
    entity.status = 'running';
    entity.error = null;
    await tx.flush();
    return toExportRecord(entity);
  });
}

/** Where a run stopped after its turn: the play it wrote last, its file, and what that file holds. */
export interface ExportCheckpoint {
  resume: ExportPosition;
  partialPath: string;
  rows: number;
  skipped: number;
  bytes: number;
}

/**
 * Records where a run stopped after its turn, if the export is still running from where this run started
 * (`startedFrom`: the file its checkpoint named then). False when another run moved it on meanwhile, or it
 * completed, failed or is gone: this run's file is then not the export's.
 */
export async function recordExportTurn(em: EntityManager, id: string, startedFrom: string | null, checkpoint: ExportCheckpoint): Promise<boolean> {
  const { resume, partialPath, rows, skipped, bytes } = checkpoint;
  // One conditional statement, not load-and-flush: another run may move the export on between a read and a write.
  const updated = await em.nativeUpdate(
    Export,
    { id, status: 'running', partialPath: startedFrom },
    { resumePlayedAt: resume.playedAtText, resumeTrackId: resume.trackId, partialPath, rows, skipped, bytes, updatedAt: new Date() },
  );
  return updated > 0;
}

export type ExportCompletion =
  /** Recorded; `replaced` are the user's older exports deleted to stay within the bytes cap, `partialPath` the last turn's file: their files are the caller's to delete. */
  | { status: 'completed'; replaced: ExportFiles[]; partialPath: string | null }
  /** Another run completed it first, or it failed meanwhile. */
  | { status: 'not_running' }
  /** Its row is gone (the account was deleted). */
  | { status: 'gone' };

/**
 * running → completed with the finished file and its counts. The user keeps at most `maxUserBytes` of
 * completed exports: this one, then their others newest first while they fit; the older ones are
 * deleted here (their files are returned). The user's row is locked meanwhile, so two exports of one
 * user completing at once are counted one after the other.
 */
export function completeExport(em: EntityManager, id: string, result: { filePath: string; rows: number; skipped: number; bytes: number }, limits: { maxUserBytes: number }): Promise<ExportCompletion> {
  return em.fork().transactional(async (tx): Promise<ExportCompletion> => {
    const owner = await tx.findOne(Export, id, { fields: ['user'] });
    if (!owner) return { status: 'gone' };
    await tx.findOne(User, owner.user.id, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const entity = await tx.findOne(Export, id, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!entity) return { status: 'gone' };
    if (!PENDING.includes(entity.status)) return { status: 'not_running' };
    const partialPath = entity.partialPath;
    Object.assign(entity, { status: 'completed', ...result, finishedAt: new Date(), resumePlayedAt: null, resumeTrackId: null, partialPath: null });
    const others = await tx.find(Export, { user: entity.user.id, status: 'completed', id: { $ne: id } }, { orderBy: { createdAt: 'desc', id: 'desc' } });
    let total = result.bytes;
    const replaced: Export[] = [];
    for (const other of others) {
      // Once one does not fit, it and every older one go: the newest are kept.
      if (replaced.length > 0 || total + other.bytes > limits.maxUserBytes) replaced.push(other);
      else total += other.bytes;
    }
    tx.remove(replaced);
    await tx.flush();
    return { status: 'completed', replaced: replaced.map(filesOf), partialPath };
  });
}

/** An export whose last attempt failed: the user reads why. Returns the file its turns had written (the caller deletes it). */
export function failExport(em: EntityManager, id: string, error: string): Promise<string | null> {
  return em.fork().transactional(async (tx) => {
    const entity = await tx.findOne(Export, { id, status: { $in: PENDING } }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!entity) return null;
    const partialPath = entity.partialPath;
    Object.assign(entity, { status: 'failed', error, finishedAt: new Date(), resumePlayedAt: null, resumeTrackId: null, partialPath: null });
    await tx.flush();
    return partialPath;
  });
}

/** Every export of the user: what deleting the account must clean up. */
export async function exportsOfUser(em: EntityManager, userId: string): Promise<ExportFiles[]> {
  const entities = await em.find(Export, { user: userId }, { fields: ['filePath', 'partialPath'] });
  return entities.map(filesOf);
}

/** Exports that expired before `now`, with their files, at most `limit` of them. */
export async function expiredExports(em: EntityManager, now: Date, limit: number): Promise<ExportFiles[]> {
  const entities = await em.find(Export, { expiresAt: { $lte: now } }, { fields: ['filePath', 'partialPath'], orderBy: { expiresAt: 'asc' }, limit });
  return entities.map(filesOf);
}

/** Deletes these exports' rows. */
export async function deleteExports(em: EntityManager, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  // A sweep of expired rows by id, none of them loaded: one statement.
  return em.nativeDelete(Export, { id: { $in: [...ids] } });
}

/** Every file an export row (expired or not) names, finished or partial: any other file in EXPORT_DIR belongs to nothing. */
export async function exportFilesHeld(em: EntityManager): Promise<string[]> {
  const entities = await em.find(Export, { $or: [{ filePath: { $ne: null } }, { partialPath: { $ne: null } }] }, { fields: ['filePath', 'partialPath'] });
  return entities.flatMap((entity) => [entity.filePath, entity.partialPath].filter((path): path is string => path !== null));
}
