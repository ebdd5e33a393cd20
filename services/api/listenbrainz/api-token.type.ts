import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { MutationInput, MutationPayload } from '../relay/mutation-base.js';

@ObjectType({ description: 'A token a listener made for a music player, to send plays through the ListenBrainz API (docs/listenbrainz.md). The token itself is shown once, by createApiToken.' })
export class ApiToken {
  @Field(() => ID, { description: 'The token’s id (not the token): what revokeApiToken takes.' })
  id!: string;

  @Field(() => String, { description: 'The name its listener gave it, such as the player it is for.' })
  name!: string;

  @Field(() => Date, { description: 'When it was made.' })
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When a player last used it (to within a minute); null until one has.' })
  lastUsedAt!: Date | null;
}

@InputType({ description: 'The input of createApiToken.' })
export class CreateApiTokenInput extends MutationInput {
  @Field(() => String, { description: 'A name for the token, such as the player it is for: 1 to 100 characters.' })
  name!: string;
}

@ObjectType({ description: 'The answer to createApiToken.' })
export class CreateApiTokenPayload extends MutationPayload {
  @Field(() => String, { description: 'The token, to paste into the player: shown this once, Playlog keeps only its hash.' })
  token!: string;

  @Field(() => ApiToken, { description: 'The token as apiTokens lists it.' })
  apiToken!: ApiToken;
}

@InputType({ description: 'The input of revokeApiToken.' })
export class RevokeApiTokenInput extends MutationInput {
  @Field(() => ID, { description: 'The id of one of the caller’s tokens (ApiToken.id).' })
  id!: string;
}

@ObjectType({ description: 'The answer to revokeApiToken.' })
export class RevokeApiTokenPayload extends MutationPayload {
  @Field(() => ID, { nullable: true, description: 'The id of the token revoked; null when the caller held no such token (already revoked): nothing changed.' })
  revokedApiTokenId!: string | null;
}

@ObjectType({ description: 'The track one of the listener’s players says is playing now (a ListenBrainz playing_now), until it would have ended.' })
export class NowPlaying {
  @Field(() => String, { description: 'The track’s title, as the player sent it.' })
  trackName!: string;

  @Field(() => String, { description: 'The artist, as the player sent it.' })
  artistName!: string;

  @Field(() => String, { nullable: true, description: 'The album, when the player named one.' })
  releaseName!: string | null;

  @Field(() => String, { nullable: true, description: 'The player that sent it, when it said (submission_client or media_player).' })
  client!: string | null;

  @Field(() => Date, { description: 'When the player said so.' })
  startedAt!: Date;

  @Field(() => Date, { description: 'When it stops being shown: the track’s duration later, or LISTENBRAINZ_PLAYING_NOW_SECONDS without one.' })
  endsAt!: Date;
}
