import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { bigintNumber, defineStatement, runStatement, timestamp, type Statement } from '../../../shared/db/statements/statement.js';
import { bounds, COUNTS, PLAY_MS, PLAYS_OF_USER_IN_RANGE } from './stats-rules.js';

/**
 * Top tracks, albums and artists of a listener over a range, recounted from the stored plays with the
 * counting rules of stats.repository.ts. Each credited artist of a track counts its play once; a track's
 * album gets the play. Artists and albums named only by the listener's own streaming history are ranked
 * by the id those names make (streaming-history-names.repository.ts: `export-` and 22 characters of a
 * SHA-256), kept beside the names by Postgres, so that ties order alike everywhere.
 */
export type RankedKind = 'track' | 'album' | 'artist';
export type RankOrder = 'plays' | 'time';

/**
 * The id of an artist or album named by a streaming history, as streamingHistoryArtistAndAlbum makes it,
 * from `n` of export_track_names: its generated columns (playlog_export_artist_id, playlog_export_album_id),
 * hashed once when the names were stored.
 */
const STREAMING_HISTORY_ARTIST_ID = 'n.export_artist_id';
const STREAMING_HISTORY_ALBUM_ID = 'n.export_album_id';

const ITEMS: Record<RankedKind, string> = {
  track: `select p.track_id as id, p.ms, p.played_at from p`,
  album: `select p.album_id as id, p.ms, p.played_at from p where p.album_id is not null
          union all
          select ${STREAMING_HISTORY_ALBUM_ID}, p.ms, p.played_at from p join export_track_names n on n.track_id = p.track_id and n.user_id = ? where n.album_name is not null`,
  artist: `select distinct ta.artist_id as id, p.ms, p.played_at, p.track_id from p join track_artists ta on ta.track_id = p.track_id
          union all
          select ${STREAMING_HISTORY_ARTIST_ID}, p.ms, p.played_at, p.track_id from p join export_track_names n on n.track_id = p.track_id and n.user_id = ? where n.artist_name is not null`,
};

/**
 * A user's counted plays in a range, with their time and album: the `p` every ranking starts from (the
 * user through a fenced subquery, as in stats-rules.ts' PLAYS_OF_USER_IN_RANGE).
 */
const COUNTED_PLAYS = `
  select e.played_at, e.track_id, ${PLAY_MS} as ms, t.album_id
    from ${PLAYS_OF_USER_IN_RANGE} join tracks t on t.id = e.track_id
   where ${COUNTS}`;

/** The whole history's items from stats_tracks (one row per track played, with its measures): the same grouping, a row per track rather than per play. */
const ALL_TIME_ITEMS: Record<RankedKind, string> = {
  track: `select st.track_id as id, st.plays, st.ms_played as ms, st.first_played_at, st.last_played_at from st`,
  album: `select t.album_id as id, st.plays, st.ms_played as ms, st.first_played_at, st.last_played_at from st join tracks t on t.id = st.track_id where t.album_id is not null
          union all
          select ${STREAMING_HISTORY_ALBUM_ID}, st.plays, st.ms_played, st.first_played_at, st.last_played_at from st join export_track_names n on n.track_id = st.track_id and n.user_id = ? where n.album_name is not null`,
  artist: `select distinct on (st.track_id, ta.artist_id) ta.artist_id as id, st.plays, st.ms_played as ms, st.first_played_at, st.last_played_at, st.track_id from st join track_artists ta on ta.track_id = st.track_id
          union all
          select ${STREAMING_HISTORY_ARTIST_ID}, st.plays, st.ms_played, st.first_played_at, st.last_played_at, st.track_id from st join export_track_names n on n.track_id = st.track_id and n.user_id = ? where n.artist_name is not null`,
};

/** Where a ranking's items come from: the plays of a range, recounted, or the whole history's rollup. */
export type RankingSource = 'recount' | 'rollup';

function rankingSql(kind: RankedKind, order: RankOrder, source: RankingSource): string {
  const [first, second] = order === 'plays' ? ['plays', 'ms'] : ['ms', 'plays'];
  const grouped =
    source === 'recount'
      ? `p as (${COUNTED_PLAYS}),
items as (${ITEMS[kind]}),
agg as (select id, count(*) as plays, sum(ms) as ms, min(played_at) as first_played_at, max(played_at) as last_played_at from items group by id),`
      : kind === 'track'
        ? // One row per track already: no grouping, and no copy (each use is an index-only scan of the user's range of the primary key).
          `agg as not materialized (select track_id as id, plays, ms_played as ms, first_played_at, last_played_at from stats_tracks where user_id = ?),`
        : `st as (select * from stats_tracks where user_id = ?),
items as (${ALL_TIME_ITEMS[kind]}),
agg as (select id, sum(plays) as plays, sum(ms) as ms, min(first_played_at) as first_played_at, max(last_played_at) as last_played_at from items group by id),`;
  const after = `(?::boolean or ${first} < ?::bigint or (${first} = ?::bigint and ${second} < ?::bigint) or (${first} = ?::bigint and ${second} = ?::bigint and id > ?))`;
  // A rank is the number of items before the page plus the position in it: no sort of the whole ranking, a top-N of the page only.
  return `
with ${grouped}
counts as (select count(*) as total, count(*) filter (where ${after}) as remaining from agg),
page as (select * from agg where ${after} order by ${first} desc, ${second} desc, id asc limit ?)
select counts.total, page.id, page.plays, page.ms, page.first_played_at, page.last_played_at,
       counts.total - counts.remaining + row_number() over (order by page.${first} desc, page.${second} desc, page.id asc) as rank
  from counts left join page on true
 order by rank`;
}

const rankingRow = z.object({
  total: bigintNumber,
  id: z.string().nullable(),
  plays: bigintNumber.nullable(),
  ms: bigintNumber.nullable(),
  first_played_at: timestamp.nullable(),
  last_played_at: timestamp.nullable(),
  rank: bigintNumber.nullable(),
});

const define = (kind: RankedKind, order: RankOrder, source: RankingSource) =>
  defineStatement({
    name: `stats_top_${kind}s_by_${order}${source === 'rollup' ? '_all_time' : ''}`,
    purpose: [
      `A listener’s ${kind}s ${source === 'rollup' ? 'over their whole history, from stats_tracks (a row per track they played, kept by triggers on listening_events),' : 'over a range, recounted from its counted plays,'}`,
      `ranked by ${order === 'plays' ? 'plays, then time' : 'time, then plays'}, then id; its page after a cursor (the last item’s`,
      'measures and id, so a page never repeats or skips an item of the current ranking), and the number of items ranked.',
      'Window functions over a grouping of a grouping are not the query builder’s.',
    ].join(' '),
    sql: rankingSql(kind, order, source),
    row: rankingRow,
  });

const bySource = (kind: RankedKind) => ({
  recount: { plays: define(kind, 'plays', 'recount'), time: define(kind, 'time', 'recount') },
  rollup: { plays: define(kind, 'plays', 'rollup'), time: define(kind, 'time', 'rollup') },
});

export const RANKING_STATEMENTS: Record<RankedKind, Record<RankingSource, Record<RankOrder, Statement<z.infer<typeof rankingRow>>>>> = {
  track: bySource('track'),
  album: bySource('album'),
  artist: bySource('artist'),
};

/** Where a page of a ranking continues: after the item with these measures and id. */
export interface RankPosition {
  plays: number;
  ms: number;
  id: string;
}

export interface Ranked {
  id: string;
  rank: number;
  plays: number;
  ms: number;
  firstPlayedAt: Date;
  lastPlayedAt: Date;
}

export interface RankingPage {
  items: Ranked[];
  /** How many items the whole ranking holds. */
  total: number;
  hasNextPage: boolean;
}

/**
 * A page of a ranking: the whole history's from the rollup, a range's recounted (or recounted anyway,
 * with `source: 'recount'`: the benchmark's baseline).
 */
export async function loadRanking(
  em: EntityManager,
  request: { userId: string; from?: Date; to?: Date; kind: RankedKind; order: RankOrder; size: number; after?: RankPosition; source?: RankingSource },
): Promise<RankingPage> {
  const { after, order } = request;
  const [first, second] = after ? (order === 'plays' ? [after.plays, after.ms] : [after.ms, after.plays]) : [0, 0];
  const namesUser = request.kind === 'track' ? [] : [request.userId];
  const source = request.source ?? (request.from === undefined && request.to === undefined ? 'rollup' : 'recount');
  const scope = source === 'recount' ? [request.userId, ...bounds(request)] : [request.userId];
  const position = [after === undefined, first, first, second, first, second, after?.id ?? ''];
  const rows = await runStatement(em, RANKING_STATEMENTS[request.kind][source][order], [...scope, ...namesUser, ...position, ...position, request.size + 1]);
  const items = rankedOf(rows);
  return { items: items.slice(0, request.size), total: rows[0]?.total ?? 0, hasNextPage: items.length > request.size };
}

export const newArtistsStatement = defineStatement({
  name: 'stats_new_artists',
  purpose: [
    'The artists a listener first heard in a range (their first counted play ever falls in it: from stats_tracks, a',
    'row per track played with its first play): how many, and the most played of them in the range, recounted from its',
    'plays and ranked as topArtists ranks.',
  ].join(' '),
  sql: `
with st as (select * from stats_tracks where user_id = ?),
credits as (${ALL_TIME_ITEMS.artist}),
firsts as (select id from credits group by id having min(first_played_at) >= ?::timestamptz and min(first_played_at) < ?::timestamptz),
p as (${COUNTED_PLAYS}),
items as (${ITEMS.artist}),
agg as (
  select i.id, count(*) as plays, sum(i.ms) as ms, min(i.played_at) as first_played_at, max(i.played_at) as last_played_at
    from items i join firsts f on f.id = i.id
   group by i.id
),
ranked as (select agg.*, row_number() over (order by plays desc, ms desc, id asc) as rank from agg)
select (select count(*) from firsts) as total, r.id, r.plays, r.ms, r.first_played_at, r.last_played_at, r.rank
  from (select 1) one left join (select * from ranked order by rank limit ?) r on true
 order by r.rank`,
  row: rankingRow,
});

/** The artists whose first counted play falls in [from, to): how many, and the `size` most played in it. */
export async function loadNewArtists(em: EntityManager, request: { userId: string; from: Date; to: Date; size: number }): Promise<RankingPage> {
  const range = [request.from.toISOString(), request.to.toISOString()];
  const rows = await runStatement(em, newArtistsStatement, [request.userId, request.userId, ...range, request.userId, ...range, request.userId, request.size]);
  const items = rankedOf(rows);
  return { items, total: rows[0]?.total ?? 0, hasNextPage: false };
}

/** The ranked items of a ranking statement's rows (an empty page is one row of nulls, carrying the total). */
function rankedOf(rows: ReadonlyArray<z.infer<typeof rankingRow>>): Ranked[] {
  return rows.flatMap((row) =>
    row.id === null || row.plays === null || row.ms === null || row.rank === null || row.first_played_at === null || row.last_played_at === null
      ? []
      : [{ id: row.id, rank: row.rank, plays: row.plays, ms: row.ms, firstPlayedAt: row.first_played_at, lastPlayedAt: row.last_played_at }],
  );
}
