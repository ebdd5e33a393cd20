import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { decodeHistoryCursor, encodeHistoryCursor } from '../../services/api/history/history-cursor.js';

/**
 * The ceiling of the history benchmark: node:http and pg, no framework. GET /history?after=<cursor>
 * runs the API's own statements (the session look-up, the keyset page of 50, then the tracks, albums
 * and artists of the page) and answers the JSON the GraphQL API answers for the bench's query, field
 * for field. GET /history?offset=N runs the same page with OFFSET instead of the keyset condition
 * (what keyset pagination avoids). The bench checks both answers equal the API's before measuring.
 */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX ?? 10), options: '-c TimeZone=UTC' });
const PAGE = 50;

const SESSION_SQL = `select s.id, s.user_id, u.status, s.expires_at
   from sessions s join users u on u.id = s.user_id
  where s.token_hash = $1 and s.revoked_at is null and s.expires_at > now()`;
const columns = `to_char(e.played_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as played_at_text,
       e.played_at, e.track_id, e.context_type, e.context_uri, e.source, e.ms_played`;
const KEYSET_SQL = `select ${columns} from listening_events e
  where e.user_id = $1 and (e.played_at, e.track_id) < ($2::timestamptz, $3)
  order by e.played_at desc, e.track_id desc limit $4`;
const FIRST_SQL = `select ${columns} from listening_events e where e.user_id = $1 order by e.played_at desc, e.track_id desc limit $2`;
const OFFSET_SQL = `select ${columns} from listening_events e where e.user_id = $1 order by e.played_at desc, e.track_id desc limit $2 offset $3`;
const TRACKS_SQL = 'select id, name, uri, duration_ms, album_id from tracks where id in (select jsonb_array_elements_text($1::jsonb))';
const ALBUMS_SQL = 'select id, name, uri, release_date, image_url from albums where id in (select jsonb_array_elements_text($1::jsonb))';
const ARTISTS_SQL = `select ta.track_id, a.id, a.name, a.uri from track_artists ta join artists a on a.id = ta.artist_id
  where ta.track_id in (select jsonb_array_elements_text($1::jsonb)) order by ta.track_id, ta.position`;

interface Row {
  played_at_text: string;
  played_at: Date;
  track_id: string;
  context_type: string | null;
  context_uri: string | null;
  source: string;
  ms_played: number | null;
}

async function page(token: string, url: URL): Promise<{ status: number; body: unknown }> {
  const session = await pool.query<{ user_id: string; status: string }>(SESSION_SQL, [createHash('sha256').update(token, 'utf8').digest('hex')]);
  const userId = session.rows[0]?.user_id;
  if (!userId) return { status: 401, body: { errors: [{ message: 'not logged in' }] } };
  const after = url.searchParams.get('after');
  const offset = url.searchParams.get('offset');
  let rows: Row[];
  if (offset !== null) rows = (await pool.query<Row>(OFFSET_SQL, [userId, PAGE + 1, Number(offset)])).rows;
  else if (after !== null) {
    const position = decodeHistoryCursor(after);
    rows = (await pool.query<Row>(KEYSET_SQL, [userId, position.playedAt, position.trackId, PAGE + 1])).rows;
  } else rows = (await pool.query<Row>(FIRST_SQL, [userId, PAGE + 1])).rows;
  const plays = rows.slice(0, PAGE);

  const trackIds = [...new Set(plays.map((play) => play.track_id))];
  const tracks = new Map(
    (await pool.query<{ id: string; name: string; album_id: string | null }>(TRACKS_SQL, [JSON.stringify(trackIds)])).rows.map((track) => [track.id, track]),
  );
  const albumIds = [...new Set([...tracks.values()].flatMap((track) => (track.album_id ? [track.album_id] : [])))];
  const [albums, artists] = await Promise.all([
    pool.query<{ id: string; name: string }>(ALBUMS_SQL, [JSON.stringify(albumIds)]),
    pool.query<{ track_id: string; name: string }>(ARTISTS_SQL, [JSON.stringify(trackIds)]),
  ]);
  const albumById = new Map(albums.rows.map((album) => [album.id, album]));
  const artistsOf = new Map<string, Array<{ name: string }>>();
  for (const artist of artists.rows) artistsOf.set(artist.track_id, [...(artistsOf.get(artist.track_id) ?? []), { name: artist.name }]);

  const edges = plays.map((play) => {
    const track = tracks.get(play.track_id)!;
    const album = track.album_id ? albumById.get(track.album_id) : undefined;
    return {
      cursor: encodeHistoryCursor({ playedAt: play.played_at_text, trackId: play.track_id }),
      node: {
        playedAt: new Date(play.played_at).toISOString(),
        msPlayed: play.ms_played,
        source: play.source.toUpperCase(),
        context: play.context_type === null && play.context_uri === null ? null : { type: play.context_type, uri: play.context_uri },
        track: { id: track.id, name: track.name, album: album ? { name: album.name } : null, artists: artistsOf.get(track.id) ?? [] },
      },
    };
  });
  return { status: 200, body: { data: { listeningHistory: { edges, pageInfo: { hasNextPage: rows.length > PAGE, endCursor: edges.at(-1)?.cursor ?? null } } } } };
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://bench');
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
  if (url.pathname !== '/history') {
    res.writeHead(404).end();
    return;
  }
  page(token, url).then(
    ({ status, body }) => {
      const json = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) }).end(json);
    },
    (error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ msg: 'bare history server listening', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
});
