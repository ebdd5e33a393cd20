import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { defineStatement, runStatement } from '../../../shared/db/statements/statement.js';

/** What a listen says of its track, for finding it in the catalogue of its listener. */
export interface ListenTrackQuery {
  /** The listener: their own tracks are looked for by MBID and by name. */
  userId: string;
  /** A Spotify track id the listen carries, if any. */
  spotifyId: string | null;
  /** The MusicBrainz recording it names, canonical (lower case, dashes), if any. */
  recordingMbid: string | null;
  /** Title and artist as the player sent them, lower-cased and trimmed. */
  title: string;
  artist: string;
}

/** A catalogue track a listen is a play of, with its duration (0 for a track known by its id alone). */
export interface FoundTrack {
  id: string;
  uri: string;
  durationMs: number;
}

export const listenTracksStatement = defineStatement({
  name: 'listenbrainz_listen_tracks',
  purpose: [
    'The catalogue track of each listen of a submission, in one round trip: the Spotify track its spotify_id names when',
    'Spotify described it to Playlog (not a row kept by its id alone), otherwise the listener’s own track an earlier listen',
    'with the same recording_mbid named (the partial index on export_track_names), otherwise the listener’s own track of the same title',
    'and artist, case aside — a track they have a counted play of (stats_tracks), so another listener’s catalogue never',
    'names their listen — found through the lower(name) index among few rows, the most played first. The artist is the',
    'first in billing order or all of them as players join them (", "). Each look-up is skipped (a one-time filter on the',
    'outer row) once an earlier one found the track. Listens, of one listener or several, travel as one JSON array, each with',
    'its listener.',
  ].join(' '),
  sql: `
with wanted as (
  select w.i, w.user_id, w.spotify_id, w.mbid, w.title, w.artist from jsonb_to_recordset(?::jsonb) as w(i int, user_id uuid, spotify_id text, mbid uuid, title text, artist text)
)
select w.i,
       coalesce(by_id.id, by_mbid.id, by_name.id) as id, coalesce(by_id.uri, by_mbid.uri, by_name.uri) as uri,
       coalesce(by_id.duration_ms, by_mbid.duration_ms, by_name.duration_ms) as duration_ms
  from wanted w
  left join lateral (
    select t.id, t.uri, t.duration_ms from tracks t where t.id = w.spotify_id and (t.duration_ms > 0 or t.album_id is not null) limit 1
  ) by_id on true
  left join lateral (
    select t.id, t.uri, t.duration_ms
      from export_track_names n join tracks t on t.id = n.track_id
     where by_id.id is null and w.mbid is not null and n.user_id = w.user_id and n.recording_mbid = w.mbid
     order by t.id
     limit 1
  ) by_mbid on true
  left join lateral (
    select t.id, t.uri, t.duration_ms
      from tracks t
      join stats_tracks s on s.user_id = w.user_id and s.track_id = t.id
     where by_id.id is null and by_mbid.id is null and lower(t.name) = w.title
       and w.artist in (
         select lower(a.name) from track_artists ta join artists a on a.id = ta.artist_id where ta.track_id = t.id and ta.position = 0
         union all
         select lower(string_agg(a.name, ', ' order by ta.position)) from track_artists ta join artists a on a.id = ta.artist_id where ta.track_id = t.id
       )
     order by s.plays desc, t.id
     limit 1
  ) by_name on true
 order by w.i`,
  row: z.object({ i: z.number().int(), id: z.string().nullable(), uri: z.string().nullable(), duration_ms: z.number().int().nullable() }),
});

/** The catalogue track of each listen, by its position in `queries`; absent where the catalogue has none for its listener. */
export async function findListenTracks(em: EntityManager, queries: readonly ListenTrackQuery[]): Promise<Map<number, FoundTrack>> {
  const found = new Map<number, FoundTrack>();
  if (queries.length === 0) return found;
  const wanted = queries.map((query, i) => ({ i, user_id: query.userId, spotify_id: query.spotifyId, mbid: query.recordingMbid, title: query.title, artist: query.artist }));
  for (const row of await runStatement(em, listenTracksStatement, [JSON.stringify(wanted)])) {
    if (row.id !== null && row.uri !== null) found.set(row.i, { id: row.id, uri: row.uri, durationMs: row.duration_ms ?? 0 });
  }
  return found;
}
