import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { defineStatement, runStatement } from '../../../shared/db/statements/statement.js';
import { streamingHistoryArtistsAndAlbumsOf } from './streaming-history-names.repository.js';
import { loadPageTracks, type AlbumRow, type ArtistRow, type TrackRow } from './track-rows.repository.js';

/**
 * Tracks, albums and artists as one user may look them up by id: only those of tracks they played.
 * The catalogue is shared by every user; which of its entries exist says what someone on this Playlog
 * listened to, so a user who never played a track (or anything of an album or artist) finds nothing.
 */

export const heardCatalogueStatement = defineStatement({
  name: 'catalogue_heard_by_user',
  purpose: [
    'Which of these tracks, albums and artists the user played something of, with the albums’ and artists’ own',
    'columns: ONE round trip for a `nodes` lookup mixing all three. Each is an EXISTS over the (track_id, user_id)',
    'index of listening_events, which the query builder cannot express across the three tables.',
  ].join(' '),
  sql: `
select 'track' as kind, t.id, null as name, null as uri, null as release_date, null as image_url
  from tracks t
 where t.id in (select jsonb_array_elements_text(?::jsonb))
   and exists (select 1 from listening_events e where e.track_id = t.id and e.user_id = ?)
union all
select 'album', al.id, al.name, al.uri, al.release_date, al.image_url
  from albums al
 where al.id in (select jsonb_array_elements_text(?::jsonb))
   and exists (select 1 from tracks t join listening_events e on e.track_id = t.id and e.user_id = ? where t.album_id = al.id)
union all
select 'artist', ar.id, ar.name, ar.uri, null, null
  from artists ar
 where ar.id in (select jsonb_array_elements_text(?::jsonb))
   and exists (select 1 from track_artists ta join listening_events e on e.track_id = ta.track_id and e.user_id = ? where ta.artist_id = ar.id)`,
  row: z.object({
    kind: z.enum(['track', 'album', 'artist']),
    id: z.string(),
    name: z.string().nullable(),
    uri: z.string().nullable(),
    release_date: z.string().nullable(),
    image_url: z.string().nullable(),
  }),
});

export interface CatalogueIds {
  tracks: readonly string[];
  albums: readonly string[];
  artists: readonly string[];
}

export interface HeardCatalogue {
  tracks: Map<string, TrackRow>;
  albums: Map<string, AlbumRow>;
  artists: Map<string, ArtistRow>;
}

/** An id of an artist or album made from a streaming history's names (see streamingHistoryArtistAndAlbum), not Spotify's. */
const isStreamingHistoryDerived = (id: string): boolean => id.startsWith('export-');

/**
 * The tracks, albums and artists of these ids that `viewerId` played something of, as they see them
 * (a track Spotify no longer knows carries the names of their own streaming history; an album or artist
 * made from those names is found among them, by the ids asked for alone).
 */
export async function loadHeardCatalogue(em: EntityManager, viewerId: string, ids: CatalogueIds): Promise<HeardCatalogue> {
  const heard: HeardCatalogue = { tracks: new Map(), albums: new Map(), artists: new Map() };
  const albums = ids.albums.filter((id) => !isStreamingHistoryDerived(id));
  const artists = ids.artists.filter((id) => !isStreamingHistoryDerived(id));
  const trackIds: string[] = [];
  if (ids.tracks.length + albums.length + artists.length > 0) {
    const json = (list: readonly string[]) => JSON.stringify([...new Set(list)]);
    for (const row of await runStatement(em, heardCatalogueStatement, [json(ids.tracks), viewerId, json(albums), viewerId, json(artists), viewerId])) {
      if (row.kind === 'track') trackIds.push(row.id);
      else if (row.kind === 'album') heard.albums.set(row.id, { id: row.id, name: row.name ?? '', uri: row.uri ?? '', releaseDate: row.release_date, imageUrl: row.image_url });
      else heard.artists.set(row.id, { id: row.id, name: row.name ?? '', uri: row.uri ?? '' });
    }
  }
  heard.tracks = await loadPageTracks(em, viewerId, trackIds);

  const derivedAlbums = ids.albums.filter(isStreamingHistoryDerived);
  const derivedArtists = ids.artists.filter(isStreamingHistoryDerived);
  // Only the names of the ids asked for, each found by index: never every name the viewer's streaming histories gave.
  const named = await streamingHistoryArtistsAndAlbumsOf(em, viewerId, { artists: derivedArtists, albums: derivedAlbums });
  for (const [id, album] of named.albums) heard.albums.set(id, album);
  for (const [id, artist] of named.artists) heard.artists.set(id, artist);
  return heard;
}
