import type { EntityManager } from '@mikro-orm/postgresql';
import { Import } from './import.entity.js';
import { toImportRecord, VISIBLE, type ImportRecord } from './imports.repository.js';
import { loadNewestFirstPage, type CreatedPosition, type NewestFirstPage, type NewestFirstRequest } from '../../../shared/db/paging/newest-first-page.js';

export type ImportPosition = CreatedPosition;

export interface ImportPageRequest extends NewestFirstRequest {
  userId: string;
}

export interface ImportPage {
  /** Newest first. */
  imports: NewestFirstPage<ImportRecord>['items'];
  hasOlder: boolean;
  hasNewer: boolean;
}

/** A page of the user's imports (what users see: not uploads still arriving), newest first, in either direction. */
export async function loadImportPage(em: EntityManager, request: ImportPageRequest): Promise<ImportPage> {
  const { userId, ...page } = request;
  const { items, hasOlder, hasNewer } = await loadNewestFirstPage(em, { entity: Import, visible: { user: userId, status: VISIBLE }, owned: { user: userId }, toRecord: toImportRecord }, page);
  return { imports: items, hasOlder, hasNewer };
}

/** How many imports the user sees. */
export function countImports(em: EntityManager, userId: string): Promise<number> {
  return em.count(Import, { user: userId, status: VISIBLE });
}

/** These imports of the user, by id; anyone else's, and ids of none, are absent. */
export async function findImportsOf(em: EntityManager, userId: string, ids: readonly string[]): Promise<Map<string, ImportRecord>> {
  if (ids.length === 0) return new Map();
  const entities = await em.find(Import, { id: { $in: [...new Set(ids)] }, user: userId, status: VISIBLE }, { refresh: true });
  return new Map(entities.map((entity) => [entity.id, toImportRecord(entity)]));
}
