import { Field, ID, Int, ObjectType } from 'type-graphql';
import { GLOBAL_ID, Node } from '../relay/node.type.js';

// simpleResolvers: a history page resolves hundreds of these fields; graphql-js reads them as plain
// properties instead of through type-graphql's per-field wrapper (they have no middleware or auth).
@ObjectType({ implements: Node, simpleResolvers: true, description: 'An artist of a track.' })
export class Artist implements Node {
  __typename!: 'Artist';

  @Field(() => ID, { description: GLOBAL_ID })
  id!: string;

  @Field(() => String, { nullable: true, description: 'The Spotify artist id; null for an artist named only by your own streaming history.' })
  spotifyId!: string | null;

  @Field(() => String, { description: 'The name, as Spotify gives it (or your streaming history, for one Spotify no longer knows).' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'The Spotify URI (spotify:artist:…); null when spotifyId is.' })
  uri!: string | null;
}

@ObjectType({ implements: Node, simpleResolvers: true, description: 'An album of a track.' })
export class Album implements Node {
  __typename!: 'Album';

  @Field(() => ID, { description: GLOBAL_ID })
  id!: string;

  @Field(() => String, { nullable: true, description: 'The Spotify album id; null for an album named only by your own streaming history.' })
  spotifyId!: string | null;

  @Field(() => String, { description: 'The name, as Spotify gives it (or your streaming history, for one Spotify no longer knows).' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'The Spotify URI (spotify:album:…); null when spotifyId is.' })
  uri!: string | null;

  @Field(() => String, { nullable: true, description: 'The release date as Spotify gives it: YYYY, YYYY-MM or YYYY-MM-DD; null when unknown.' })
  releaseDate!: string | null;

  @Field(() => String, { nullable: true, description: 'URL of the album’s cover art on Spotify’s image servers; null when unknown.' })
  imageUrl!: string | null;
}

@ObjectType({ implements: Node, simpleResolvers: true, description: 'A Spotify track.' })
export class Track implements Node {
  __typename!: 'Track';

  @Field(() => ID, { description: GLOBAL_ID })
  id!: string;

  @Field(() => String, { description: 'The Spotify track id.' })
  spotifyId!: string;

  @Field(() => String, {
    description: 'The track’s name; for a track Spotify no longer knows, the name your own streaming history gave it, or "Unknown track" when it gave none.',
  })
  name!: string;

  @Field(() => Int, { nullable: true, description: 'Length of the track in milliseconds; null for a track Spotify no longer knows.' })
  durationMs!: number | null;

  @Field(() => String, { description: 'The Spotify URI (spotify:track:…).' })
  uri!: string;

  @Field(() => Album, { nullable: true, description: 'The track’s album; null when unknown.' })
  album!: Album | null;

  @Field(() => [Artist], { description: 'The track’s artists in billing order (empty when unknown).' })
  artists!: Artist[];
}
