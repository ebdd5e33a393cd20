import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { MutationInput, MutationPayload, UserError } from '../relay/mutation-base.js';
import { Session } from './session.type.js';

/** Why a login did not complete; each is something the person can do something about. */
export enum LoginErrorCode {
  LOGIN_STATE_INVALID = 'LOGIN_STATE_INVALID',
  SPOTIFY_LOGIN_DENIED = 'SPOTIFY_LOGIN_DENIED',
  SPOTIFY_LOGIN_FAILED = 'SPOTIFY_LOGIN_FAILED',
  SPOTIFY_UNAVAILABLE = 'SPOTIFY_UNAVAILABLE',
  ACCOUNT_DISABLED = 'ACCOUNT_DISABLED',
}

registerEnumType(LoginErrorCode, {
  name: 'LoginErrorCode',
  description: 'Why a login did not complete.',
  valuesConfig: {
    LOGIN_STATE_INVALID: { description: 'The state is unknown, expired, already used, or from another kind of login: start a new login.' },
    SPOTIFY_LOGIN_DENIED: { description: 'The person refused access on Spotify’s page.' },
    SPOTIFY_LOGIN_FAILED: { description: 'Spotify refused the code (wrong, expired or already used) or did not grant the access Playlog needs: start a new login.' },
    SPOTIFY_UNAVAILABLE: { description: 'Spotify could not be reached or failed: start a new login in a moment.' },
    ACCOUNT_DISABLED: { description: 'This Playlog account is disabled by the operator.' },
  },
});

@InputType({ description: 'What Spotify’s redirect to SPOTIFY_REDIRECT_URI carried: code and state, or error and state.' })
export class CompleteSpotifyLoginInput extends MutationInput {
  @Field(() => String, { description: 'The state parameter of Spotify’s redirect (what startSpotifyLogin returned).' })
  state!: string;

  @Field(() => String, { nullable: true, description: 'The code parameter of Spotify’s redirect.' })
  code?: string | null;

  @Field(() => String, { nullable: true, description: 'The error parameter of Spotify’s redirect, when there was one instead of a code.' })
  error?: string | null;
}

@ObjectType({ implements: UserError, description: 'Why a login did not complete; nothing was stored.' })
export class LoginError implements UserError {
  __typename!: 'LoginError';

  @Field(() => LoginErrorCode, { description: 'What kind of failure it is, for programs.' })
  code!: LoginErrorCode;

  @Field(() => String, { description: 'What went wrong and what to do, for people (English).' })
  message!: string;
}

@ObjectType({ description: 'The answer to completeSpotifyLogin: a session, or why there is none.' })
export class CompleteSpotifyLoginPayload extends MutationPayload {
  @Field(() => Session, { nullable: true, description: 'The new session; null when the login failed (see errors).' })
  session!: Session | null;

  @Field(() => [LoginError], { description: 'Why the login failed; empty when it succeeded.' })
  errors!: LoginError[];
}
