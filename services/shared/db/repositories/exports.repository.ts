import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Export, type ExportFormatName, type ExportStatus } from '../entities/export.entity.js';
import { User } from '../entities/user.entity.js';

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
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  expiresAt: Date;
}

/** Statuses of an export not over yet: they count towards the user's pending exports. */
const PENDING: ExportStatus[] = ['queued', 'running'];

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
    error: entity.error,
    createdAt: entity.createdAt,
    finishedAt: entity.finishedAt,
    expiresAt: entity.expiresAt,
  };
}

export type ExportReservation = { created: ExportRecord } | { refused: 'too_many_pending'; pending: number };

/**
 * Creates a queued export unless the user already has `maxPending` exports not over. The user's row is
 * locked meanwhile, so two requests of one user at once are counted one after the other.
 */
export function createExport(em: EntityManager, input: { userId: string; format: ExportFormatName; expiresAt: Date; maxPending: number }): Promise<ExportReservation> {
  return em.fork().transactional(async (tx) => {
    await tx.findOneOrFail(User, input.userId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const pending = await tx.count(Export, { user: input.userId, status: { $in: PENDING } });
    if (pending >= input.maxPending) return { refused: 'too_many_pending', pending } as const;
    const entity = tx.create(Export, { id: randomUUID(), user: input.userId, format: input.format, expiresAt: input.expiresAt });
    await tx.flush();
    return { created: toExportRecord(entity) };
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
    entity.updatedAt = new Date();
    await tx.flush();
    return toExportRecord(entity);
  });
}

/** running → completed with the finished file and its counts; false when the row is gone (the account was deleted). */
export async function completeExport(em: EntityManager, id: string, result: { filePath: string; rows: number; skipped: number; bytes: number }): Promise<boolean> {
  const now = new Date();
  const updated = await em.nativeUpdate(Export, { id, status: { $in: ['queued', 'running'] } }, { status: 'completed', ...result, finishedAt: now, updatedAt: now });
  return updated > 0;
}

/** An export whose last attempt failed: the user reads why. */
export async function failExport(em: EntityManager, id: string, error: string): Promise<void> {
  const now = new Date();
  await em.nativeUpdate(Export, { id, status: { $in: ['queued', 'running'] } }, { status: 'failed', error, finishedAt: now, updatedAt: now });
}

/** Every export of the user: what deleting the account must clean up. */
export async function exportsOfUser(em: EntityManager, userId: string): Promise<Array<{ id: string; filePath: string | null }>> {
  const entities = await em.find(Export, { user: userId }, { fields: ['filePath'] });
  return entities.map((entity) => ({ id: entity.id, filePath: entity.filePath }));
}

/** Exports that expired before `now`, with their files, at most `limit` of them. */
export async function expiredExports(em: EntityManager, now: Date, limit: number): Promise<Array<{ id: string; filePath: string | null }>> {
  const entities = await em.find(Export, { expiresAt: { $lte: now } }, { fields: ['filePath'], orderBy: { expiresAt: 'asc' }, limit });
  return entities.map((entity) => ({ id: entity.id, filePath: entity.filePath }));
}

/** Deletes these exports' rows. */
export async function deleteExports(em: EntityManager, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  return em.nativeDelete(Export, { id: { $in: [...ids] } });
}

/** Ids of every export (expired or not) still in the table: any other file in EXPORT_DIR belongs to nothing. */
export async function exportIdsHoldingFiles(em: EntityManager): Promise<Set<string>> {
  const entities = await em.find(Export, { filePath: { $ne: null } }, { fields: ['id'] });
  return new Set(entities.map((entity) => entity.id));
}
