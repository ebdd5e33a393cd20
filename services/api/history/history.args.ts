import { ArgsType, Field, ID } from 'type-graphql';
import { ConnectionArgs } from '../relay/connection-args.js';

export const HISTORY_PAGE_LIMITS = { defaultSize: 50, maxSize: 200 } as const;

@ArgsType()
export class HistoryArgs extends ConnectionArgs {
  @Field(() => Date, { nullable: true, description: 'Only plays at or after this instant (inclusive).' })
  from!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only plays before this instant (exclusive).' })
  to!: Date | null;

  @Field(() => ID, { nullable: true, description: 'Only plays of this track (the id of a Track).' })
  trackId!: string | null;

  @Field(() => ID, { nullable: true, description: 'Only plays of tracks of this album (the id of an Album).' })
  albumId!: string | null;

  @Field(() => ID, { nullable: true, description: 'Only plays of tracks this artist is credited on (the id of an Artist).' })
  artistId!: string | null;
}
