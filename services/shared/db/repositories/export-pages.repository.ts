import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Export } from '../entities/export.entity.js';
import { toExportRecord, type ExportRecord } from './exports.repository.js';
import type { PageDirection } from './page-direction.js';

/** A position among a user's exports, newest first: created_at exactly as Postgres prints it, and the id. */
export interface ExportPosition {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds: Postgres' precision). */
  createdAt: string;
  id: string;
}

export interface ExportPageRequest {
  userId: string;
  direction: PageDirection;
  size: number;
  /** Only exports strictly older than this position. */
  after?: ExportPosition;
  /** Only exports strictly newer than this position. */
  before?: ExportPosition;
  now?: Date;
}

export interface ExportPage {
  /** Newest first. */
  exports: Array<{ position: ExportPosition; record: ExportRecord }>;
  hasOlder: boolean;
  hasNewer: boolean;
}

const CREATED_AT_TEXT = `to_char(x.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * A page of the user's exports that have not expired, by keyset over (created_at, id) — the user_id,
 * created_at index — in either direction, and whether exports lie on either side of it. A user has a
 * handful of exports at most, so this is the query builder's, in three short queries.
 */
export async function loadExportPage(em: EntityManager, request: ExportPageRequest): Promise<ExportPage> {
  const now = request.now ?? new Date();
  const forward = request.direction === 'forward';
  const order = forward ? 'desc' : 'asc';
  const query = keysetQuery(em, request.userId, now, request.after, request.before)
    .orderBy({ createdAt: order, id: order })
    .limit(request.size + 1);
  const rows = (await query.execute('all', false)) as Array<{ id: string; created_at_text: string }>;
  const read = rows.slice(0, request.size);
  const positions = forward ? read : read.reverse();
  const start = forward ? request.after : request.before;
  const beyond = start ? await existsBeyond(em, request.userId, now, start, forward ? 'newer' : 'older') : false;
  const successor = rows.length > request.size;

  const entities = positions.length === 0 ? [] : await em.find(Export, { id: { $in: positions.map((row) => row.id) }, user: request.userId }, { refresh: true });
  const byId = new Map(entities.map((entity) => [entity.id, toExportRecord(entity)]));
  const exports = positions.flatMap((row) => {
    const record = byId.get(row.id);
    return record ? [{ position: { createdAt: row.created_at_text, id: row.id }, record }] : [];
  });
  return forward ? { exports, hasOlder: successor, hasNewer: beyond } : { exports, hasOlder: beyond, hasNewer: successor };
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

function keysetQuery(em: EntityManager, userId: string, now: Date, after?: ExportPosition, before?: ExportPosition) {
  const query = em
    .createQueryBuilder(Export, 'x')
    .select(['id', raw(`${CREATED_AT_TEXT} as created_at_text`)])
    .where({ user: userId, expiresAt: { $gt: now } });
  // Row comparisons, with the position's microseconds: a JavaScript Date would round them away.
  if (after) query.andWhere('(x.created_at, x.id) < (?::timestamptz, ?::uuid)', [after.createdAt, after.id]);
  if (before) query.andWhere('(x.created_at, x.id) > (?::timestamptz, ?::uuid)', [before.createdAt, before.id]);
  return query;
}

async function existsBeyond(em: EntityManager, userId: string, now: Date, position: ExportPosition, side: 'newer' | 'older'): Promise<boolean> {
  const query = side === 'newer' ? keysetQuery(em, userId, now, undefined, position) : keysetQuery(em, userId, now, position, undefined);
  const rows = (await query.limit(1).execute('all', false)) as unknown[];
  return rows.length > 0;
}
