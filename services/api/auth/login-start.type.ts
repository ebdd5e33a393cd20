import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A started Spotify login.' })
export class LoginStart {
  @Field(() => String, {
    description: 'Send the person’s browser here. Spotify then redirects to SPOTIFY_REDIRECT_URI with code and state (or error and state).',
  })
  authorizationUrl!: string;

  @Field(() => String, { description: 'The OAuth state of this login; pass it back with completeSpotifyLogin. Valid once, for a few minutes.' })
  state!: string;
}
