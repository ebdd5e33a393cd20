import { createHash } from 'node:crypto';
import type pg from 'pg';

/** The token's listener: one look-up by the token's SHA-256, as the API finds a token (its user's status with it). */
const TOKEN_OWNER_SQL = `select t.user_id, u.status from api_tokens t join users u on u.id = t.user_id where t.token_hash = $1`;

const COLUMNS = `(user_id, played_at, track_id, context_type, context_uri, source, ms_played, client, started_at)`;
/** A single listen: one INSERT … ON CONFLICT DO NOTHING of one row. */
const INSERT_ONE_SQL = `insert into listening_events ${COLUMNS} values ($1, $2, $3, null, null, 'listenbrainz', $4, $5, $6) on conflict do nothing`;
/** An import: one multi-row INSERT … ON CONFLICT DO NOTHING of all its rows, the columns as arrays. */
const INSERT_MANY_SQL = `insert into listening_events ${COLUMNS}
  select $1::uuid, p.played_at, p.track_id, null, null, 'listenbrainz', p.ms_played, p.client, p.started_at
    from unnest($2::timestamptz[], $3::text[], $4::int[], $5::text[], $6::timestamptz[]) as p(played_at, track_id, ms_played, client, started_at)
  on conflict do nothing`;

const SPOTIFY_TRACK = /\/track\/([0-9A-Za-z]{22})/;

interface Listen {
  listened_at: number;
  track_metadata: { additional_info: { duration_ms: number; submission_client: string; spotify_id: string } };
}

/** A listen's row as the API stores it: played at its start plus its duration, started at its start. */
function rowOf(listen: Listen) {
  const info = listen.track_metadata.additional_info;
  const startMs = listen.listened_at * 1000;
  return {
    playedAt: new Date(startMs + info.duration_ms).toISOString(),
    trackId: SPOTIFY_TRACK.exec(info.spotify_id)![1]!,
    msPlayed: info.duration_ms,
    client: info.submission_client,
    startedAt: new Date(startMs).toISOString(),
  };
}

/**
 * The ceiling of the ListenBrainz benchmark: pg with no framework. Per request it finds the token's listener
 * (one statement, as the API does), parses the JSON and stores the listens with one INSERT … ON CONFLICT DO
 * NOTHING: one row for `single`, all rows at once for `import`. It stores the rows the API stores for the
 * benchmark's listens (the scenario compares them), and skips, by design: every validation rule (it
 * trusts the listen's shape), the look-up of the listen's track (it takes the id from `spotify_id`, which the
 * benchmark's listens carry for catalogue tracks, and their duration from `duration_ms`), the catalogue upsert
 * (which writes nothing for a catalogue track), the duplicate rule (which listens were sent before or are a play
 * stored from another source: the benchmark sends none), the transaction, the token's last-used time (a write at most
 * once a minute per token), the request deadline and connection share, and the access log.
 */
export function bareListensHandler(pool: pg.Pool) {
  return async function submitListens(authorization: string | undefined, body: Buffer): Promise<{ status: number; body: unknown }> {
    const token = authorization?.trim().split(/\s+/, 2)[1] ?? '';
    const tokenHash = createHash('sha256').update(token, 'utf8').digest('hex');
    const owner = await pool.query<{ user_id: string; status: string }>({ name: 'bare_token_owner', text: TOKEN_OWNER_SQL, values: [tokenHash] });
    const userId = owner.rows[0]?.status === 'disabled' ? undefined : owner.rows[0]?.user_id;
    if (!userId) return { status: 401, body: { code: 401, error: 'Invalid authorization token.' } };
    const submission = JSON.parse(body.toString('utf8')) as { listen_type: string; payload: Listen[] };
    const rows = submission.payload.map(rowOf);
    if (rows.length === 1) {
      const [row] = rows as [ReturnType<typeof rowOf>];
      await pool.query({ name: 'bare_insert_one', text: INSERT_ONE_SQL, values: [userId, row.playedAt, row.trackId, row.msPlayed, row.client, row.startedAt] });
    } else {
      await pool.query({
        name: 'bare_insert_many',
        text: INSERT_MANY_SQL,
        values: [userId, rows.map((r) => r.playedAt), rows.map((r) => r.trackId), rows.map((r) => r.msPlayed), rows.map((r) => r.client), rows.map((r) => r.startedAt)],
      });
    }
    return { status: 200, body: { status: 'ok' } };
  };
}
