import type { EntityManager } from '@mikro-orm/postgresql';
import type { PlaySource } from '../../shared/db/entities/listening-event.entity.js';
import type { HistoryPosition } from './history-cursor.js';

export interface HistoryPageRequest {
  userId: string;
  /** 1..MAX_PAGE_SIZE, checked by the caller. */
  first: number;
  /** Plays strictly older than this position (the previous page's end). */
  after?: HistoryPosition;
  /** Inclusive lower bound on played_at. */
  from?: Date;
  /** Exclusive upper bound on played_at. */
  to?: Date;
}

export interface PlayRow {
  position: HistoryPosition;
  playedAt: Date;
  trackId: string;
  contextType: string | null;
  contextUri: string | null;
  source: PlaySource;
  msPlayed: number | null;
}

export interface HistoryPage {
  plays: PlayRow[];
  hasNextPage: boolean;
}

/**
 * One page of a user's plays, newest first, by keyset pagination over the listening_events primary key
 * (user_id, played_at, track_id): `(played_at, track_id) < cursor`, ordered by the key, `first + 1` rows
 * to know whether another page exists. Postgres walks the index backwards from the cursor, so a page
 * deep in a long history costs what the first page costs (no OFFSET), and plays inserted between two
 * pages never shift what the next page returns. Raw SQL through the request's EntityManager: the row
 * comparison is not expressible in the query builder, and a read-only page needs no identity map.
 * played_at also comes back as text with microseconds, so cursors keep Postgres' full precision.
 */
export async function loadHistoryPage(em: EntityManager, request: HistoryPageRequest): Promise<HistoryPage> {
  const where = ['e.user_id = ?'];
  const params: unknown[] = [request.userId];
  if (request.after) {
    where.push('(e.played_at, e.track_id) < (?::timestamptz, ?)');
    params.push(request.after.playedAt, request.after.trackId);
  }
  if (request.from) {
    where.push('e.played_at >= ?::timestamptz');
    params.push(request.from.toISOString());
  }
  if (request.to) {
    where.push('e.played_at < ?::timestamptz');
    params.push(request.to.toISOString());
  }
  params.push(request.first + 1);

  const rows: Array<{
    played_at_text: string;
    played_at: Date;
    track_id: string;
    context_type: string | null;
    context_uri: string | null;
    source: PlaySource;
    ms_played: number | null;
  }> = await em.getConnection().execute(
    `select to_char(e.played_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as played_at_text,
            e.played_at, e.track_id, e.context_type, e.context_uri, e.source, e.ms_played
       from listening_events e
      where ${where.join(' and ')}
      order by e.played_at desc, e.track_id desc
      limit ?`,
    params,
    'all',
    em.getTransactionContext(),
  );

  const plays = rows.slice(0, request.first).map((row) => ({
    position: { playedAt: row.played_at_text, trackId: row.track_id },
    playedAt: new Date(row.played_at),
    trackId: row.track_id,
    contextType: row.context_type,
    contextUri: row.context_uri,
    source: row.source,
    msPlayed: row.ms_played,
  }));
  return { plays, hasNextPage: rows.length > request.first };
}
