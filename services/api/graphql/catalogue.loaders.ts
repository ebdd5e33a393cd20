import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';

export interface TrackRow {
  id: string;
  name: string;
  uri: string;
  durationMs: number;
  albumId: string | null;
}

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

export interface CatalogueLoaders {
  tracks: DataLoader<string, TrackRow | null>;
  albums: DataLoader<string, AlbumRow | null>;
  /** A track's artists in billing order. */
  artistsOfTrack: DataLoader<string, ArtistRow[]>;
}

/**
 * Per-request batch loaders for the catalogue: however many plays a page holds, their tracks come in
 * one query, their albums in one and their artists in one (no N+1). Built per request, so the cache
 * never outlives a request nor mixes users. Raw SQL: one select each, the ids passed as one JSON
 * array (knex would expand a JS array into a value list), rows straight to objects.
 */
export function createCatalogueLoaders(em: EntityManager): CatalogueLoaders {
  const run = <T>(sql: string, ids: readonly string[]): Promise<T[]> => em.getConnection().execute(sql, [JSON.stringify(ids)], 'all', em.getTransactionContext());

  return {
    tracks: new DataLoader(async (ids) => {
      const rows = await run<{ id: string; name: string; uri: string; duration_ms: number; album_id: string | null }>(
        'select id, name, uri, duration_ms, album_id from tracks where id in (select jsonb_array_elements_text(?::jsonb))',
        ids,
      );
      const byId = new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, uri: r.uri, durationMs: r.duration_ms, albumId: r.album_id }]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    albums: new DataLoader(async (ids) => {
      const rows = await run<{ id: string; name: string; uri: string; release_date: string | null; image_url: string | null }>(
        'select id, name, uri, release_date, image_url from albums where id in (select jsonb_array_elements_text(?::jsonb))',
        ids,
      );
      const byId = new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, uri: r.uri, releaseDate: r.release_date, imageUrl: r.image_url }]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    artistsOfTrack: new DataLoader(async (trackIds) => {
      const rows = await run<{ track_id: string; id: string; name: string; uri: string }>(
        `select ta.track_id, a.id, a.name, a.uri
           from track_artists ta join artists a on a.id = ta.artist_id
          where ta.track_id in (select jsonb_array_elements_text(?::jsonb))
          order by ta.track_id, ta.position`,
        trackIds,
      );
      const byTrack = new Map<string, ArtistRow[]>();
      for (const r of rows) {
        const list = byTrack.get(r.track_id) ?? [];
        list.push({ id: r.id, name: r.name, uri: r.uri });
        byTrack.set(r.track_id, list);
      }
      return trackIds.map((id) => byTrack.get(id) ?? []);
    }),
  };
}
