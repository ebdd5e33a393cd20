import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { revokeSession } from '../../features/accounts/data/sessions.repository.js';
import { loadUser } from '../account/load-user.js';
import { AppError } from '../app-error.js';
import type { ApiContext } from '../graphql/context.js';
import { CompleteSpotifyLoginInput, CompleteSpotifyLoginPayload, LoginErrorCode } from './complete-login.type.js';
import { StartSpotifyLoginInput, StartSpotifyLoginPayload } from './start-login.type.js';
import { LogoutInput, LogoutPayload } from './logout.type.js';

const LOGIN_ERROR_CODES: ReadonlySet<string> = new Set(Object.values(LoginErrorCode));

@Resolver()
export class AuthResolver {
  @Mutation(() => StartSpotifyLoginPayload, { description: 'Starts a Spotify login (authorization code with PKCE). Needs no session.' })
  async startSpotifyLogin(
    @Arg('input', () => StartSpotifyLoginInput, { nullable: true, description: 'Optional: only clientMutationId.' }) input: StartSpotifyLoginInput | null,
    @Ctx() ctx: ApiContext,
  ): Promise<StartSpotifyLoginPayload> {
    const started = await ctx.services.login.start('graphql');
    return { clientMutationId: input?.clientMutationId ?? null, ...started };
  }

  @Mutation(() => CompleteSpotifyLoginPayload, {
    description:
      'Completes a login started with startSpotifyLogin, with what Spotify’s redirect carried. Needs no session. ' +
      'A login that fails for a reason the person can act on answers `errors` (and stores nothing); a malformed input is a BAD_USER_INPUT error.',
  })
  async completeSpotifyLogin(@Arg('input', () => CompleteSpotifyLoginInput, { description: 'What Spotify’s redirect carried.' }) input: CompleteSpotifyLoginInput, @Ctx() ctx: ApiContext): Promise<CompleteSpotifyLoginPayload> {
    const clientMutationId = input.clientMutationId ?? null;
    try {
      const session = await ctx.services.login.complete('graphql', { state: input.state, code: input.code ?? null, error: input.error ?? null, requestId: ctx.requestId });
      return { clientMutationId, session: { token: session.token, expiresAt: session.expiresAt, user: await loadUser(ctx, session.userId) }, errors: [] };
    } catch (error) {
      if (!(error instanceof AppError) || !LOGIN_ERROR_CODES.has(error.code)) throw error;
      return { clientMutationId, session: null, errors: [{ __typename: 'LoginError', code: error.code as LoginErrorCode, message: error.message }] };
    }
  }

  @Mutation(() => LogoutPayload, { description: 'Revokes the current session (and clears the session cookie).' })
  async logout(@Arg('input', () => LogoutInput, { nullable: true, description: 'Optional: only clientMutationId.' }) input: LogoutInput | null, @Ctx() ctx: ApiContext): Promise<LogoutPayload> {
    const session = await ctx.session();
    const revokedAt = await revokeSession(ctx.em, session.sessionId);
    ctx.services.sessionCookie.clear(ctx.res);
    ctx.logger.info({ userId: session.userId }, 'session revoked (logout)');
    return { clientMutationId: input?.clientMutationId ?? null, revokedAt };
  }
}
