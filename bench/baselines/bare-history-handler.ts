import { createHash } from 'node:crypto';
import type pg from 'pg';
import { decodeHistoryCursor, encodeHistoryCursor } from '../../services/api/history/history-cursor.js';
import { toGlobalId } from '../../services/api/relay/global-id.js';
import { historyPageQuery, type HistoryPageRequest } from '../../services/features/history/data/history.repository.js';
import { pageTracksBindings, pageTracksStatement } from '../../services/features/catalogue/data/track-rows.repository.js';
import { findActiveSessionStatement } from '../../services/features/accounts/data/sessions.repository.js';
import { positionalSql, type Statement } from '../../services/shared/db/statements/statement.js';

/** Plays per page in the history benchmark. */
export const PAGE = 50;

/** What a client shows of a history page: each play with its track, album and artists. */
export const HISTORY_QUERY = `query History($after: String) {
  listeningHistory(first: ${PAGE}, after: $after) {
    edges { cursor node { id playedAt msPlayed source context { type uri } track { id name album { name } artists { name } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** The OFFSET page: what keyset pagination avoids, measured beside it (the API never sends it). */
const OFFSET_SQL = `select to_char(e.played_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as played_at_text,
       e.played_at, e.track_id, e.context_type, e.context_uri, e.source, e.ms_played
  from listening_events e where e.user_id = $1 order by e.played_at desc, e.track_id desc limit $2 offset $3`;

/** A statement of the data layer as the API sends it: named, prepared, the same text, the same parameters. */
const prepared = (statement: Statement<unknown>, values: unknown[]) => ({ name: `playlog_${statement.name}`, text: positionalSql(statement), values });

interface PlayRow {
  played_at_text: string;
  played_at: Date;
  track_id: string;
  context_type: string | null;
  context_uri: string | null;
  source: string;
  ms_played: number | null;
}

interface TrackRow {
  id: string;
  name: string;
  album_name: string | null;
  artists: Array<{ name: string }>;
}

/**
 * The ceiling of the history benchmark: pg with no framework. `history(token, url)` answers
 * GET /history?after=<cursor> with exactly the statements the API sends for the benchmark's query (the
 * session look-up, the keyset page, the page's tracks with albums and artists: the data layer's own
 * statements, imported, named and prepared as the API prepares them) and the JSON the GraphQL API
 * answers, field for field. GET /history?offset=N runs the page with OFFSET instead (what keyset
 * pagination avoids). A test checks both send and answer what the API does. The API sends one more
 * statement only for a page holding a track Spotify no longer knows (the viewer's own
 * streaming-history names, loadPageTracks); every track of the benchmark's catalogue has a duration and an album, so neither
 * server sends it.
 */
export function bareHistoryHandler(pool: pg.Pool) {
  return async function history(token: string, url: URL): Promise<{ status: number; body: unknown }> {
    const tokenHash = createHash('sha256').update(token, 'utf8').digest('hex');
    const session = await pool.query<{ user_id: string }>(prepared(findActiveSessionStatement, [tokenHash]));
    const userId = session.rows[0]?.user_id;
    if (!userId) return { status: 401, body: { errors: [{ message: 'not logged in' }] } };
    const after = url.searchParams.get('after');
    const offset = url.searchParams.get('offset');
    const rows =
      offset !== null
        ? (await pool.query<PlayRow>(OFFSET_SQL, [userId, PAGE + 1, Number(offset)])).rows
        : await keysetPage(pool, { userId, direction: 'forward', size: PAGE, ...(after !== null ? { after: decodeHistoryCursor(after) } : {}) });
    const plays = rows.slice(0, PAGE);

    const tracks = new Map<string, TrackRow>();
    if (plays.length > 0) {
      const found = await pool.query<TrackRow>(prepared(pageTracksStatement, pageTracksBindings(plays.map((play) => play.track_id))));
      for (const track of found.rows) tracks.set(track.id, track);
    }

    const edges = plays.map((play) => {
      const track = tracks.get(play.track_id)!;
      return {
        cursor: encodeHistoryCursor({ playedAt: play.played_at_text, trackId: play.track_id }),
        node: {
          id: toGlobalId({ type: 'Play', userId, playedAt: play.played_at_text, trackId: play.track_id }),
          playedAt: new Date(play.played_at).toISOString(),
          msPlayed: play.ms_played,
          source: play.source.toUpperCase(),
          context: play.context_type !== null && play.context_uri !== null ? { type: play.context_type, uri: play.context_uri } : null,
          track: { id: toGlobalId({ type: 'Track', trackId: track.id }), name: track.name, album: track.album_name === null ? null : { name: track.album_name }, artists: track.artists.map((artist) => ({ name: artist.name })) },
        },
      };
    });
    return { status: 200, body: { data: { listeningHistory: { edges, pageInfo: { hasNextPage: rows.length > PAGE, endCursor: edges.at(-1)?.cursor ?? null } } } } };
  };
}

/**
 * The API's keyset page: the same statement with the same parameters. Its rows end with the probe row
 * (`beyond`: whether newer plays precede a page that starts from a cursor); the page's own rows come first.
 */
async function keysetPage(pool: pg.Pool, request: HistoryPageRequest): Promise<PlayRow[]> {
  const { statement, bindings } = historyPageQuery(request);
  const { rows } = await pool.query<PlayRow & { beyond: boolean }>(prepared(statement, bindings));
  return rows.filter((row) => !row.beyond);
}
