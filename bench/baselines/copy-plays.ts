import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { PlayInput } from '../../services/features/plays/play-input.js';

/** COPY's text format: tab-separated, \N for null, backslash escapes. */
const field = (value: string | number | null | undefined) =>
  value === null || value === undefined ? '\\N' : String(value).replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);

/**
 * The ceiling of the ingest benchmark: the same plays streamed with COPY into a scratch copy of
 * listening_events (same columns, same indexes, no conflict handling, no catalogue). Building the
 * COPY text is timed with it, as building the JSON document is timed with ingestPlays.
 */
export async function copyPlays(client: pg.PoolClient, table: string, userId: string, plays: PlayInput[]): Promise<void> {
  const lines = plays.map((play) =>
    [userId, new Date(play.playedAt).toISOString(), play.track.id, play.context?.type, play.context?.uri, 'poll', play.msPlayed].map(field).join('\t'),
  );
  const stream = client.query(copyFrom(`copy ${table} (user_id, played_at, track_id, context_type, context_uri, source, ms_played) from stdin`));
  await pipeline(Readable.from([`${lines.join('\n')}\n`]), stream);
}
