import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Import } from '../entities/import.entity.js';
import { toImportRecord, VISIBLE, type ImportRecord } from './imports.repository.js';
import type { PageDirection } from './page-direction.js';

/** A position among a user's imports, newest first: created_at exactly as Postgres prints it, and the id. */
export interface ImportPosition {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds: Postgres' precision). */
  createdAt: string;
  id: string;
}

export interface ImportPageRequest {
  userId: string;
  direction: PageDirection;
  size: number;
  /** Only imports strictly older than this position. */
  after?: ImportPosition;
  /** Only imports strictly newer than this position. */
  before?: ImportPosition;
}

export interface ImportPage {
  /** Newest first. */
  imports: Array<{ position: ImportPosition; record: ImportRecord }>;
  hasOlder: boolean;
  hasNewer: boolean;
}

const CREATED_AT_TEXT = `to_char(i.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * A page of the user's imports (what users see: not uploads still arriving), by keyset over
 * (created_at, id) — the user_id, created_at index — in either direction, and whether imports lie on
 * either side of it. A user has few imports, so this is the query builder's, in three short queries.
 */
export async function loadImportPage(em: EntityManager, request: ImportPageRequest): Promise<ImportPage> {
  const forward = request.direction === 'forward';
  const order = forward ? 'desc' : 'asc';
  const query = keysetQuery(em, request.userId, request.after, request.before)
    .orderBy({ createdAt: order, id: order })
    .limit(request.size + 1);
  const rows = (await query.execute('all', false)) as Array<{ id: string; created_at_text: string }>;
  const read = rows.slice(0, request.size);
  const positions = forward ? read : read.reverse();
  const start = forward ? request.after : request.before;
  const beyond = start ? await existsBeyond(em, request.userId, start, forward ? 'newer' : 'older') : false;
  const successor = rows.length > request.size;

  const entities = positions.length === 0 ? [] : await em.find(Import, { id: { $in: positions.map((row) => row.id) }, user: request.userId }, { refresh: true });
  const byId = new Map(entities.map((entity) => [entity.id, toImportRecord(entity)]));
  const imports = positions.flatMap((row) => {
    const record = byId.get(row.id);
    // Cancelled-and-gone between the two queries (its account deleted): not shown.
    return record ? [{ position: { createdAt: row.created_at_text, id: row.id }, record }] : [];
  });
  return forward ? { imports, hasOlder: successor, hasNewer: beyond } : { imports, hasOlder: beyond, hasNewer: successor };
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

function keysetQuery(em: EntityManager, userId: string, after?: ImportPosition, before?: ImportPosition) {
  const query = em
    .createQueryBuilder(Import, 'i')
    .select(['id', raw(`${CREATED_AT_TEXT} as created_at_text`)])
    .where({ user: userId, status: VISIBLE });
  // Row comparisons, with the position's microseconds: a JavaScript Date would round them away.
  if (after) query.andWhere('(i.created_at, i.id) < (?::timestamptz, ?::uuid)', [after.createdAt, after.id]);
  if (before) query.andWhere('(i.created_at, i.id) > (?::timestamptz, ?::uuid)', [before.createdAt, before.id]);
  return query;
}

async function existsBeyond(em: EntityManager, userId: string, position: ImportPosition, side: 'newer' | 'older'): Promise<boolean> {
  const query = side === 'newer' ? keysetQuery(em, userId, undefined, position) : keysetQuery(em, userId, position, undefined);
  const rows = (await query.limit(1).execute('all', false)) as unknown[];
  return rows.length > 0;
}
