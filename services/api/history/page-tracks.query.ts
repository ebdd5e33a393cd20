import type { EntityManager } from '@mikro-orm/postgresql';

export interface AlbumRow {
  id: string;
  name: string;
  uri: string;
  releaseDate: string | null;
  imageUrl: string | null;
}

export interface ArtistRow {
  id: string;
  name: string;
  uri: string;
}

/** A track with its album and its artists in billing order. */
export interface TrackRow {
  id: string;
  name: string;
  uri: string;
  durationMs: number;
  album: AlbumRow | null;
  artists: ArtistRow[];
}

/**
 * The tracks of a history page, by id, with their albums and artists: ONE query however many plays the
 * page holds (no N+1, and one round trip rather than three). Raw SQL through the request's
 * EntityManager: the ids travel as one JSON array (knex would expand a JS array into a value list), and
 * the artists of each track are aggregated in Postgres, in billing order, so rows map straight to objects.
 */
export async function loadPageTracks(em: EntityManager, trackIds: readonly string[]): Promise<Map<string, TrackRow>> {
  const tracks = new Map<string, TrackRow>();
  if (trackIds.length === 0) return tracks;
  const rows: Array<{
    id: string;
    name: string;
    uri: string;
    duration_ms: number;
    album_id: string | null;
    album_name: string | null;
    album_uri: string | null;
    album_release_date: string | null;
    album_image_url: string | null;
    artists: ArtistRow[];
  }> = await em.getConnection().execute(
    `select t.id, t.name, t.uri, t.duration_ms,
            al.id as album_id, al.name as album_name, al.uri as album_uri,
            al.release_date as album_release_date, al.image_url as album_image_url,
            coalesce((select json_agg(json_build_object('id', ar.id, 'name', ar.name, 'uri', ar.uri) order by ta.position)
                        from track_artists ta join artists ar on ar.id = ta.artist_id
                       where ta.track_id = t.id), '[]'::json) as artists
       from tracks t
       left join albums al on al.id = t.album_id
      where t.id in (select jsonb_array_elements_text(?::jsonb))`,
    [JSON.stringify([...new Set(trackIds)])],
    'all',
    em.getTransactionContext(),
  );
  for (const r of rows) {
    tracks.set(r.id, {
      id: r.id,
      name: r.name,
      uri: r.uri,
      durationMs: r.duration_ms,
      album:
        r.album_id === null ? null : { id: r.album_id, name: r.album_name!, uri: r.album_uri!, releaseDate: r.album_release_date, imageUrl: r.album_image_url },
      artists: r.artists,
    });
  }
  return tracks;
}
