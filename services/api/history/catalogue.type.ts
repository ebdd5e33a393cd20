import { Field, Int, ObjectType } from 'type-graphql';

// simpleResolvers: a history page resolves hundreds of these fields; graphql-js reads them as plain
// properties instead of through type-graphql's per-field wrapper (they have no middleware or auth).
@ObjectType({ simpleResolvers: true, description: 'A Spotify artist.' })
export class Artist {
  @Field(() => String, { description: 'Spotify id.' })
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'Spotify URI (spotify:artist:...).' })
  uri!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A Spotify album.' })
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

@ObjectType({ simpleResolvers: true, description: 'A Spotify track.' })
export class Track {
  @Field(() => String, { description: 'Spotify id.' })
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int)
  durationMs!: number;

  @Field(() => String, { description: 'Spotify URI (spotify:track:...).' })
  uri!: string;

  @Field(() => Album, { nullable: true, description: 'The track’s album; null when Spotify gave none.' })
  album!: Album | null;

  @Field(() => [Artist], { description: 'The track’s artists in billing order.' })
  artists!: Artist[];
}
