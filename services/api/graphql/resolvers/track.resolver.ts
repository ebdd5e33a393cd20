import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context.js';
import { Album, Artist, Track } from '../types/catalogue.type.js';

@Resolver(() => Track)
export class TrackResolver {
  @FieldResolver(() => Album, { nullable: true, description: 'The track’s album (batched per page); null when Spotify gave none.' })
  album(@Root() track: Track, @Ctx() ctx: ApiContext): Promise<Album | null> | null {
    return track.albumId === null ? null : ctx.loaders.albums.load(track.albumId);
  }

  @FieldResolver(() => [Artist], { description: 'The track’s artists in billing order (batched per page).' })
  artists(@Root() track: Track, @Ctx() ctx: ApiContext): Promise<Artist[]> {
    return ctx.loaders.artistsOfTrack.load(track.id);
  }
}
