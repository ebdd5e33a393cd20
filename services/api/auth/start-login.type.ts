import { Field, InputType, ObjectType } from 'type-graphql';
import { MutationInput, MutationPayload } from '../relay/mutation-base.js';

@InputType({ description: 'The input of startSpotifyLogin.' })
export class StartSpotifyLoginInput extends MutationInput {}

@ObjectType({ description: 'A started Spotify login.' })
export class StartSpotifyLoginPayload extends MutationPayload {
  @Field(() => String, {
    description: 'Send the person’s browser here. Spotify then redirects to SPOTIFY_REDIRECT_URI with code and state (or error and state).',
  })
  authorizationUrl!: string;

  @Field(() => String, { description: 'The OAuth state of this login; pass it back to completeSpotifyLogin. Valid once, for a few minutes.' })
  state!: string;
}
