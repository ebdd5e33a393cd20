import { loadHeardCatalogue } from '../../features/catalogue/data/heard-catalogue.repository.js';
import { loadPageTracks } from '../../features/catalogue/data/track-rows.repository.js';
import type { Ranked } from '../../features/statistics/data/stats-rankings.repository.js';
import { toAlbum, toArtist, toTrack } from '../catalogue/to-catalogue.js';
import type { ApiContext } from '../graphql/context.js';
import type { AlbumRanking, ArtistRanking, TrackRanking } from './ranking.types.js';

const measures = (item: Ranked) => ({ rank: item.rank, plays: item.plays, msPlayed: item.ms, firstPlayedAt: item.firstPlayedAt, lastPlayedAt: item.lastPlayedAt });

/** Ranked tracks with their tracks, as the viewer sees them (one query for all). */
export async function rankedTracks(ctx: ApiContext, viewerId: string, items: readonly Ranked[]): Promise<TrackRanking[]> {
  const tracks = await loadPageTracks(ctx.em, viewerId, items.map((item) => item.id));
  return items.map((item) => {
    const track = tracks.get(item.id);
    if (!track) throw new Error(`ranked track ${item.id} is missing from the catalogue`);
    return { ...measures(item), track: toTrack(track) };
  });
}

export async function rankedAlbums(ctx: ApiContext, viewerId: string, items: readonly Ranked[]): Promise<AlbumRanking[]> {
  const { albums } = await loadHeardCatalogue(ctx.em, viewerId, { tracks: [], albums: items.map((item) => item.id), artists: [] });
  return items.map((item) => {
    const album = albums.get(item.id);
    if (!album) throw new Error(`ranked album ${item.id} is missing`);
    return { ...measures(item), album: toAlbum(album) };
  });
}

export async function rankedArtists(ctx: ApiContext, viewerId: string, items: readonly Ranked[]): Promise<ArtistRanking[]> {
  const { artists } = await loadHeardCatalogue(ctx.em, viewerId, { tracks: [], albums: [], artists: items.map((item) => item.id) });
  return items.map((item) => {
    const artist = artists.get(item.id);
    if (!artist) throw new Error(`ranked artist ${item.id} is missing`);
    return { ...measures(item), artist: toArtist(artist) };
  });
}
