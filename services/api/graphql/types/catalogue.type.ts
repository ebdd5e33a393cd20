import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A Spotify artist.' })
export class Artist {
  @Field(() => String, { description: 'Spotify id.' })
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'Spotify URI (spotify:artist:...).' })
  uri!: string;
}

@ObjectType({ description: 'A Spotify album.' })
export class Album {
  @Field(() => String, { description: 'Spotify id.' })
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'Spotify URI (spotify:album:...).' })
  uri!: string;

  @Field(() => String, { nullable: true, description: 'As Spotify gives it: YYYY, YYYY-MM or YYYY-MM-DD.' })
  releaseDate!: string | null;

  @Field(() => String, { nullable: true })
  imageUrl!: string | null;
}

@ObjectType({ description: 'A Spotify track. Its album and artists are loaded in batches per page.' })
export class Track {
  @Field(() => String, { description: 'Spotify id.' })
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int)
  durationMs!: number;

  @Field(() => String, { description: 'Spotify URI (spotify:track:...).' })
  uri!: string;

  /** Resolved by TrackResolver from this id. */
  albumId!: string | null;
}
