import { loadHeardCatalogue, type CatalogueIds } from '../../features/catalogue/data/heard-catalogue.repository.js';
import type { ApiContext } from '../graphql/context.js';
import type { Album, Artist, Track } from './catalogue.type.js';
import { toAlbum, toArtist, toTrack } from './to-catalogue.js';

export interface CatalogueNodes {
  tracks: Map<string, Track>;
  albums: Map<string, Album>;
  artists: Map<string, Artist>;
}

/** Tracks, albums and artists by catalogue id, as the viewer sees them: only those of tracks they played. */
export async function loadCatalogueNodes(ctx: ApiContext, viewerId: string, ids: CatalogueIds): Promise<CatalogueNodes> {
  const heard = await loadHeardCatalogue(ctx.em, viewerId, ids);
  return {
    tracks: new Map([...heard.tracks].map(([id, row]) => [id, toTrack(row)])),
    albums: new Map([...heard.albums].map(([id, row]) => [id, toAlbum(row)])),
    artists: new Map([...heard.artists].map(([id, row]) => [id, toArtist(row)])),
  };
}
