import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { defineStatement, runStatement } from '../../../shared/db/statements/statement.js';

export const releaseArtistsStatement = defineStatement({
  name: 'listenbrainz_release_artists',
  purpose: [
    'The artist of each album of a ListenBrainz releases ranking (players read artist_name as a string): for a Spotify',
    'album, the first artist of its first track (tracks_album_id_index); for an album named by the listener’s own names,',
    'the artist those names give (the user’s export_album_id index). One round trip for the page.',
  ].join(' '),
  sql: `
(select distinct on (t.album_id) t.album_id as id, a.name as artist_name
   from tracks t join track_artists ta on ta.track_id = t.id and ta.position = 0 join artists a on a.id = ta.artist_id
  where t.album_id = any(?::text[])
  order by t.album_id, t.id)
union all
select k.id, n.artist_name
  from unnest(?::text[]) k(id)
  cross join lateral (select x.artist_name from export_track_names x where x.user_id = ? and x.export_album_id = k.id and x.artist_name is not null limit 1) n`,
  row: z.object({ id: z.string(), artist_name: z.string() }),
});

/** The artist of each of these albums as the listener sees it, by album id. */
export async function releaseArtistsOf(em: EntityManager, userId: string, albumIds: readonly string[]): Promise<Map<string, string>> {
  if (albumIds.length === 0) return new Map();
  const ids = [...new Set(albumIds)];
  const rows = await runStatement(em, releaseArtistsStatement, [ids, ids, userId]);
  return new Map(rows.map((row) => [row.id, row.artist_name]));
}
