import { raw, type EntityName, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PageDirection } from './page-direction.js';

/** A position among a user's imports or exports, newest first: created_at exactly as Postgres prints it, and the id. */
export interface CreatedPosition {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds: Postgres' precision). */
  createdAt: string;
  id: string;
}

export interface NewestFirstRequest {
  direction: PageDirection;
  size: number;
  /** Only rows strictly older than this position. */
  after?: CreatedPosition;
  /** Only rows strictly newer than this position. */
  before?: CreatedPosition;
}

export interface NewestFirstPage<R> {
  /** Newest first. */
  items: Array<{ position: CreatedPosition; record: R }>;
  hasOlder: boolean;
  hasNewer: boolean;
}

/** Which rows a connection pages through, and how each becomes what the caller gets. */
export interface NewestFirstSource<E extends object, R> {
  entity: EntityName<E>;
  /** The rows the user sees (theirs, and whatever else hides one). */
  visible: FilterQuery<E>;
  /** The rows a page's records are read back from, by id (the user's own). */
  owned: FilterQuery<E>;
  toRecord(entity: E): R;
}

const CREATED_AT_TEXT = `to_char(r.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * A page of a user's imports or exports by keyset over (created_at, id) — their user_id, created_at
 * index — in either direction, and whether rows lie on either side of it. A user has few of either, so
 * this is the query builder's, in three short queries: the page's positions, one probe beyond its
 * start, and the page's rows.
 */
export async function loadNewestFirstPage<E extends object, R>(em: EntityManager, source: NewestFirstSource<E, R>, request: NewestFirstRequest): Promise<NewestFirstPage<R>> {
  const forward = request.direction === 'forward';
  const order = forward ? 'desc' : 'asc';
  const query = keysetQuery(em, source, request.after, request.before)
    // `never`: both entities have createdAt and id, which the generic E cannot promise the query builder's types.
    .orderBy({ createdAt: order, id: order } as never)
    .limit(request.size + 1);
  const rows = (await query.execute('all', false)) as Array<{ id: string; created_at_text: string }>;
  const read = rows.slice(0, request.size);
  const positions = forward ? read : read.reverse();
  const start = forward ? request.after : request.before;
  const beyond = start ? await existsBeyond(em, source, start, forward ? 'newer' : 'older') : false;
  const successor = rows.length > request.size;

  const ids = positions.map((row) => row.id);
  const entities = ids.length === 0 ? [] : await em.find(source.entity, { $and: [source.owned, { id: { $in: ids } }] } as FilterQuery<E>, { refresh: true });
  const byId = new Map(entities.map((entity) => [(entity as E & { id: string }).id, source.toRecord(entity)]));
  const items = positions.flatMap((row) => {
    const record = byId.get(row.id);
    // Gone between the two queries (its account deleted): not shown.
    return record ? [{ position: { createdAt: row.created_at_text, id: row.id }, record }] : [];
  });
  return forward ? { items, hasOlder: successor, hasNewer: beyond } : { items, hasOlder: beyond, hasNewer: successor };
}

function keysetQuery<E extends object, R>(em: EntityManager, source: NewestFirstSource<E, R>, after?: CreatedPosition, before?: CreatedPosition) {
  const query = em
    .createQueryBuilder(source.entity, 'r')
    // `never`: as above, the generic E's fields are not known to the query builder's types.
    .select(['id', raw(`${CREATED_AT_TEXT} as created_at_text`)] as never)
    .where(source.visible);
  // Row comparisons, with the position's microseconds: a JavaScript Date would round them away.
  if (after) query.andWhere('(r.created_at, r.id) < (?::timestamptz, ?::uuid)', [after.createdAt, after.id]);
  if (before) query.andWhere('(r.created_at, r.id) > (?::timestamptz, ?::uuid)', [before.createdAt, before.id]);
  return query;
}

async function existsBeyond<E extends object, R>(em: EntityManager, source: NewestFirstSource<E, R>, position: CreatedPosition, side: 'newer' | 'older'): Promise<boolean> {
  const query = side === 'newer' ? keysetQuery(em, source, undefined, position) : keysetQuery(em, source, position, undefined);
  const rows = (await query.limit(1).execute('all', false)) as unknown[];
  return rows.length > 0;
}
