import type { EntityManager } from '@mikro-orm/postgresql';
import { Export } from './export.entity.js';
import { toExportRecord, type ExportRecord } from './exports.repository.js';
import { loadNewestFirstPage, type CreatedPosition, type NewestFirstPage, type NewestFirstRequest } from '../../../shared/db/paging/newest-first-page.js';

export type ExportListPosition = CreatedPosition;

export interface ExportPageRequest extends NewestFirstRequest {
  userId: string;
  now?: Date;
}

export interface ExportPage {
  /** Newest first. */
  exports: NewestFirstPage<ExportRecord>['items'];
  hasOlder: boolean;
  hasNewer: boolean;
}

/** A page of the user's exports that have not expired, newest first, in either direction. */
export async function loadExportPage(em: EntityManager, request: ExportPageRequest): Promise<ExportPage> {
  const { userId, now = new Date(), ...page } = request;
  const visible = { user: userId, expiresAt: { $gt: now } };
  const { items, hasOlder, hasNewer } = await loadNewestFirstPage(em, { entity: Export, visible, owned: { user: userId }, toRecord: toExportRecord }, page);
  return { exports: items, hasOlder, hasNewer };
}

/** How many exports the user has that have not expired. */
export function countExports(em: EntityManager, userId: string, now: Date = new Date()): Promise<number> {
  return em.count(Export, { user: userId, expiresAt: { $gt: now } });
}

/** These exports of the user that have not expired, by id; anyone else's, and ids of none, are absent. */
export async function findExportsOf(em: EntityManager, userId: string, ids: readonly string[], now: Date = new Date()): Promise<Map<string, ExportRecord>> {
  if (ids.length === 0) return new Map();
  const entities = await em.find(Export, { id: { $in: [...new Set(ids)] }, user: userId, expiresAt: { $gt: now } }, { refresh: true });
  return new Map(entities.map((entity) => [entity.id, toExportRecord(entity)]));
}
