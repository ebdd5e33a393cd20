import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context.js';
import { Track } from '../types/catalogue.type.js';
import { Play } from '../types/play.type.js';

@Resolver(() => Play)
export class PlayResolver {
  @FieldResolver(() => Track, { description: 'The track played, with its album and artists (one query per page).' })
  async track(@Root() play: Play, @Ctx() ctx: ApiContext): Promise<Track> {
    const track = await ctx.loaders.tracks.load(play.trackId);
    // The foreign key makes this impossible; say so plainly if it ever happens.
    if (!track) throw new Error(`track ${play.trackId} of a stored play is missing from the catalogue`);
    return track;
  }
}
