import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { PLAY_SOURCES, type PlaySource } from '../../plays/data/listening-event.entity.js';
import { bigintNumber, defineStatement, runStatement, timestamp } from '../../../shared/db/statements/statement.js';
import type { PageDirection } from '../../../shared/db/paging/page-direction.js';

/** A position in a user's history: the key plays are ordered by, with played_at exactly as Postgres prints it. */
export interface HistoryPosition {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds: Postgres' precision). */
  playedAt: string;
  trackId: string;
}

export interface HistoryPageRequest {
  userId: string;
  direction: PageDirection;
  /** Page size, checked by the caller. */
  size: number;
  /** Only plays strictly older than this position. */
  after?: HistoryPosition;
  /** Only plays strictly newer than this position. */
  before?: HistoryPosition;
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
  /** Newest first, whichever way the page was read. */
  plays: PlayRow[];
  /** Whether older plays follow the page (within after/before and from/to). */
  hasOlder: boolean;
  /** Whether newer plays precede the page (within after/before and from/to). */
  hasNewer: boolean;
}

/**
 * The bounds a page request leaves open. With them a page is ONE statement whatever the request: no
 * `after` is "older than the end of time" and no `before` "newer than its beginning" (row comparisons
 * every real play passes), no range is "from the beginning to the end of time"; Postgres drops the
 * bounds that are not the tightest.
 */
const NO_AFTER = { playedAt: 'infinity', trackId: '' } as const;
const NO_BEFORE = { playedAt: '-infinity', trackId: '' } as const;
const NO_LOWER_BOUND = '-infinity';
const NO_UPPER_BOUND = 'infinity';

const PLAY_COLUMNS = `to_char(e.played_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as played_at_text,
       e.played_at, e.track_id, e.context_type, e.context_uri, e.source, e.ms_played`;

const playRow = z.object({
  played_at_text: z.string(),
  played_at: timestamp,
  track_id: z.string(),
  context_type: z.string().nullable(),
  context_uri: z.string().nullable(),
  source: z.enum(PLAY_SOURCES),
  ms_played: z.number().int().nullable(),
});

export const pageRow = playRow.extend({ beyond: z.boolean() });

const KEYSET_PURPOSE =
  'keyset pagination over the listening_events primary key (user_id, played_at, track_id): `(played_at, track_id)` ' +
  'between the cursors, `size + 1` rows to know whether the page has a successor, and one more index probe (the ' +
  '`beyond` row) to know whether plays lie on the other side of the cursor it starts from. Both are walks of the index ' +
  'from a cursor, so a page deep in a long history costs what the first page costs (no OFFSET), and plays stored ' +
  'between two pages never shift them. Row comparisons are not expressible in the query builder, and the history ' +
  'benchmark measures this path. played_at also comes back as text with microseconds, so cursors keep Postgres’ full precision.';

/**
 * The text of a keyset page statement: the page's rows between the cursors, read from the `after` end
 * (forward) or the `before` end (backward), then the probe row beyond the cursor the page starts from.
 * `onlyTracks` adds `track_id = any(<ids>)` to both (a history filtered by track, album or artist).
 */
export function keysetPageSql(direction: PageDirection, onlyTracks: boolean): string {
  const [pageOrder, probeOrder, probeSide] = direction === 'forward' ? ['desc', 'asc', '>'] : ['asc', 'desc', '<'];
  const tracks = onlyTracks ? '\n    and e.track_id = any(?::text[])' : '';
  return `
(select ${PLAY_COLUMNS}, false as beyond
   from listening_events e
  where e.user_id = ?${tracks}
    and (e.played_at, e.track_id) < (?::timestamptz, ?)
    and (e.played_at, e.track_id) > (?::timestamptz, ?)
    and e.played_at >= ?::timestamptz
    and e.played_at < ?::timestamptz
  order by e.played_at ${pageOrder}, e.track_id ${pageOrder}
  limit ?)
union all
(select ${PLAY_COLUMNS}, true as beyond
   from listening_events e
  where e.user_id = ?${tracks}
    and (e.played_at, e.track_id) ${probeSide} (?::timestamptz, ?)
    and e.played_at >= ?::timestamptz
    and e.played_at < ?::timestamptz
  order by e.played_at ${probeOrder}, e.track_id ${probeOrder}
  limit 1)
order by beyond, played_at ${pageOrder}, track_id ${pageOrder}`;
}

export const historyPageStatement = defineStatement({
  name: 'history_page',
  purpose: `A page of a user’s plays read newest first (first/after), by ${KEYSET_PURPOSE}`,
  sql: keysetPageSql('forward', false),
  row: pageRow,
});

export const historyPageBackwardStatement = defineStatement({
  name: 'history_page_backward',
  purpose: `A page of a user’s plays read oldest first from its end (last/before), by ${KEYSET_PURPOSE}`,
  sql: keysetPageSql('backward', false),
  row: pageRow,
});

/** The bound parameters of a keyset page statement; with `trackIds`, of its filtered form. */
export function keysetPageBindings(request: HistoryPageRequest, trackIds?: readonly string[]): Array<string | number | string[]> {
  const after = request.after ?? NO_AFTER;
  const before = request.before ?? NO_BEFORE;
  const from = request.from?.toISOString() ?? NO_LOWER_BOUND;
  const to = request.to?.toISOString() ?? NO_UPPER_BOUND;
  const user: Array<string | string[]> = trackIds ? [request.userId, [...trackIds]] : [request.userId];
  const page = [...user, after.playedAt, after.trackId, before.playedAt, before.trackId, from, to, request.size + 1];
  // The probe starts from the cursor the page starts from; without one nothing lies beyond it.
  const start = request.direction === 'forward' ? (request.after ?? NO_AFTER) : (request.before ?? NO_BEFORE);
  const probe = [...user, start.playedAt, start.trackId, from, to];
  return [...page, ...probe];
}

/** The statement of a page request and its bound parameters (the benchmark's bare baseline sends the same). */
export function historyPageQuery(request: HistoryPageRequest): { statement: typeof historyPageStatement; bindings: Array<string | number> } {
  const statement = request.direction === 'forward' ? historyPageStatement : historyPageBackwardStatement;
  return { statement, bindings: keysetPageBindings(request) as Array<string | number> };
}

/** A page of a statement's rows, newest first, with what lies on either side of it. */
export function historyPageFromRows(request: HistoryPageRequest, rows: ReadonlyArray<z.infer<typeof pageRow>>): HistoryPage {
  const inPage = rows.filter((row) => !row.beyond);
  const beyond = rows.length > inPage.length;
  const successor = inPage.length > request.size;
  const read = inPage.slice(0, request.size);
  const plays = (request.direction === 'forward' ? read : read.reverse()).map(toPlayRow);
  return request.direction === 'forward' ? { plays, hasOlder: successor, hasNewer: beyond } : { plays, hasOlder: beyond, hasNewer: successor };
}

export async function loadHistoryPage(em: EntityManager, request: HistoryPageRequest): Promise<HistoryPage> {
  const { statement, bindings } = historyPageQuery(request);
  return historyPageFromRows(request, await runStatement(em, statement, bindings));
}

export function toPlayRow(row: z.infer<typeof playRow>): PlayRow {
  return {
    position: { playedAt: row.played_at_text, trackId: row.track_id },
    playedAt: row.played_at,
    trackId: row.track_id,
    contextType: row.context_type,
    contextUri: row.context_uri,
    source: row.source,
    msPlayed: row.ms_played,
  };
}

export const historyCountStatement = defineStatement({
  name: 'history_count',
  purpose: [
    'How many plays a user has in a range (a history connection’s totalCount), without counting a long history',
    'play by play: the whole UTC days inside the range are summed from play_counts (kept exact by triggers on',
    'listening_events), and only the plays of the partial days at its two ends are counted, each by one range scan',
    'of the primary key. The history benchmark measures it beside count(*).',
  ].join(' '),
  sql: `
select (select coalesce(sum(c.plays), 0) from play_counts c where c.user_id = ? and c.day >= ?::date and c.day < ?::date)
     + (select count(*) from listening_events e where e.user_id = ? and e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz)
     + (select count(*) from listening_events e where e.user_id = ? and e.played_at >= ?::timestamptz and e.played_at < ?::timestamptz)
       as total`,
  row: z.object({ total: bigintNumber }),
});

const DAY_MS = 24 * 60 * 60 * 1000;

/** The bound parameters of `historyCountStatement` for a range: whole days, and the partial days at each end. */
export function historyCountBindings(userId: string, range: { from?: Date; to?: Date }): string[] {
  const from = range.from?.getTime() ?? -Infinity;
  const to = range.to?.getTime() ?? Infinity;
  const instant = (ms: number) => (ms === -Infinity ? NO_LOWER_BOUND : ms === Infinity ? NO_UPPER_BOUND : new Date(ms).toISOString());
  const day = (ms: number) => (ms === -Infinity ? NO_LOWER_BOUND : ms === Infinity ? NO_UPPER_BOUND : new Date(ms).toISOString().slice(0, 10));
  // The first midnight at or after `from`, and the last at or before `to` (UTC).
  const wholeFrom = Number.isFinite(from) ? Math.ceil(from / DAY_MS) * DAY_MS : from;
  const wholeTo = Number.isFinite(to) ? Math.floor(to / DAY_MS) * DAY_MS : to;
  if (wholeFrom >= wholeTo) {
    // No whole day inside: the range is counted directly (it spans less than two days).
    return [userId, NO_UPPER_BOUND, NO_UPPER_BOUND, userId, instant(from), instant(to), userId, NO_UPPER_BOUND, NO_UPPER_BOUND];
  }
  return [userId, day(wholeFrom), day(wholeTo), userId, instant(from), instant(wholeFrom), userId, instant(wholeTo), instant(to)];
}

/** How many plays the user has at or after `from` and before `to`. */
export async function countHistory(em: EntityManager, userId: string, range: { from?: Date; to?: Date }): Promise<number> {
  const [row] = await runStatement(em, historyCountStatement, historyCountBindings(userId, range));
  return row?.total ?? 0;
}

export const playsByKeyStatement = defineStatement({
  name: 'history_plays_by_key',
  purpose: [
    'Plays of one user by their keys (a Play asked for by its global id): the keys carry played_at with microseconds,',
    'which a JavaScript Date (what the ORM binds) cannot, so they travel as one JSON array and are joined on the',
    'primary key. Another user’s key finds nothing: the user is the caller’s, never the key’s.',
  ].join(' '),
  sql: `
select ${PLAY_COLUMNS}
  from jsonb_to_recordset(?::jsonb) as k(played_at timestamptz, track_id text)
  join listening_events e on e.user_id = ? and e.played_at = k.played_at and e.track_id = k.track_id`,
  row: playRow,
});

/** The user's plays at these positions, by `positionKey`; positions with no play of theirs are absent. */
export async function loadPlaysByPosition(em: EntityManager, userId: string, positions: readonly HistoryPosition[]): Promise<Map<string, PlayRow>> {
  const plays = new Map<string, PlayRow>();
  if (positions.length === 0) return plays;
  const keys = JSON.stringify(positions.map((position) => ({ played_at: position.playedAt, track_id: position.trackId })));
  for (const row of await runStatement(em, playsByKeyStatement, [keys, userId])) {
    const play = toPlayRow(row);
    plays.set(positionKey(play.position), play);
  }
  return plays;
}

/** A position as one string, to find a play by it. */
export const positionKey = (position: HistoryPosition): string => `${position.playedAt} ${position.trackId}`;
