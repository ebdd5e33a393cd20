import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { bigintNumber, defineStatement, runStatement, timestamp } from '../../../shared/db/statements/statement.js';

/** A user's plays read for a personal export (docs/export.md), oldest first, one batch at a time. */

export interface ExportPlay {
  /** When the play ended, with Postgres' microseconds (the next batch's cursor). */
  playedAtText: string;
  playedAt: Date;
  trackId: string;
  msPlayed: number | null;
  source: string;
  contextType: string | null;
  contextUri: string | null;
  /** The catalogue's name, else the one the user's own streaming history gave; null when nothing names the track. */
  trackName: string | null;
  trackUri: string;
  /** Null for a track Spotify no longer knows (the catalogue keeps 0 for it). */
  durationMs: number | null;
  albumName: string | null;
  artistNames: string[];
}

/** Where the next batch starts: after this play. */
export interface ExportPosition {
  playedAtText: string;
  trackId: string;
}

export const exportPlaysBatchStatement = defineStatement({
  name: 'exports_plays_batch',
  purpose: [
    'One batch of a user’s plays for a personal export, oldest first, by keyset over the listening_events primary key',
    '(user_id, played_at, track_id) from the last play of the previous batch: the whole history is never held in memory',
    'and every batch costs one index range scan (no OFFSET). Row comparisons are not expressible in the query builder.',
    'Each play comes with its track, album and artists in billing order, and, for a track the catalogue knows only by',
    'its id, the names the user’s own streaming history gave it (export_track_names).',
  ].join(' '),
  sql: `
select to_char(e.played_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as played_at_text,
       e.played_at, e.track_id, e.ms_played, e.source, e.context_type, e.context_uri,
       coalesce(nullif(t.name, ''), n.track_name) as track_name, t.uri as track_uri, t.duration_ms,
       coalesce(al.name, n.album_name) as album_name,
       coalesce((select json_agg(ar.name order by ta.position)
                   from track_artists ta join artists ar on ar.id = ta.artist_id
                  where ta.track_id = t.id),
                case when n.artist_name is null then '[]'::json else json_build_array(n.artist_name) end) as artist_names
  from listening_events e
  join tracks t on t.id = e.track_id
  left join albums al on al.id = t.album_id
  left join export_track_names n on n.user_id = e.user_id and n.track_id = e.track_id
 where e.user_id = ?
   and (e.played_at, e.track_id) > (?::timestamptz, ?)
 order by e.played_at asc, e.track_id asc
 limit ?`,
  row: z.object({
    played_at_text: z.string(),
    played_at: timestamp,
    track_id: z.string(),
    ms_played: z.number().int().nullable(),
    source: z.string(),
    context_type: z.string().nullable(),
    context_uri: z.string().nullable(),
    track_name: z.string().nullable(),
    track_uri: z.string(),
    duration_ms: bigintNumber,
    album_name: z.string().nullable(),
    artist_names: z.array(z.string()),
  }),
});

/** Before any play: the first batch starts here. */
export const EXPORT_START: ExportPosition = { playedAtText: '-infinity', trackId: '' };

/** The user's next `size` plays after `from`, oldest first. */
export async function exportPlaysBatch(em: EntityManager, userId: string, from: ExportPosition, size: number): Promise<ExportPlay[]> {
  const rows = await runStatement(em, exportPlaysBatchStatement, [userId, from.playedAtText, from.trackId, size]);
  return rows.map((row) => ({
    playedAtText: row.played_at_text,
    playedAt: row.played_at,
    trackId: row.track_id,
    msPlayed: row.ms_played,
    source: row.source,
    contextType: row.context_type,
    contextUri: row.context_uri,
    trackName: row.track_name,
    trackUri: row.track_uri,
    durationMs: row.duration_ms > 0 ? row.duration_ms : null,
    albumName: row.album_name,
    artistNames: row.artist_names.filter((name) => name !== ''),
  }));
}
